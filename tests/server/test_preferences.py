"""The settings a person sees: the voices the server's speech engine has, each with a sample
spoken by that engine, and the person's own time zone (each account its own, never changed by
reading it)."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import soundfile as sf

from os1.voice.tts import STYLES
from tests.server.conftest import Factory, csrf, register


def _audio(body: bytes) -> np.ndarray:
    samples, rate = sf.read(io.BytesIO(body), dtype="float32")
    assert rate == 16_000
    return np.asarray(samples)


def test_the_voices_there_are_each_with_a_sample(make_client: Factory) -> None:
    client = make_client()
    assert client.get("/v1/session").status_code == 200  # the page's CSRF cookie
    offered = client.get("/v1/voices").json()
    assert offered["engine"] == "espeak" and "talks out loud" in offered["note"]
    assert [v["name"] for v in offered["voices"]] == ["usual", *STYLES]
    assert all(v["about"] for v in offered["voices"]) and offered["chosen"] == "usual"

    warm, bright = (client.get(f"/v1/voices/{name}/sample") for name in ("warm", "bright"))
    assert warm.headers["content-type"] == "audio/wav"
    heard = {name: _audio(reply.content) for name, reply in (("warm", warm), ("bright", bright))}
    assert all(len(s) > 16_000 and np.abs(s).max() > 0.05 for s in heard.values())  # over a second, aloud
    assert len(heard["bright"]) < len(heard["warm"])  # bright speaks faster than warm

    missing = client.get("/v1/voices/shouty/sample")
    assert missing.status_code == 404 and "GET /v1/voices" in missing.json()["error"]

    said = client.put("/v1/settings", json={"voice": "a deep and steady voice"}, headers=csrf(client))
    assert said.status_code == 200 and said.json()["voice"] == "a deep and steady voice"
    assert client.get("/v1/voices").json()["chosen"] == "deep"  # words from onboarding pick a voice


def test_each_account_keeps_its_own_time_zone(make_client: Factory) -> None:
    first, second = make_client(mode="multi"), make_client(mode="multi")
    register(first, "theodore")
    register(second, "amy")
    assert first.get("/v1/settings").json()["time_zone"] == ""  # reading never sets it
    for client, zone in ((first, "Asia/Tokyo"), (second, "America/New_York")):
        reply = client.put("/v1/settings", json={"time_zone": zone}, headers=csrf(client))
        assert reply.status_code == 200, reply.text
    for client, zone in ((first, "Asia/Tokyo"), (second, "America/New_York")):
        kept = client.get("/v1/settings").json()
        offset = datetime.now(ZoneInfo(zone)).utcoffset()
        assert offset is not None
        assert kept["time_zone"] == zone and kept["zone_offset_minutes"] == offset.total_seconds() // 60
