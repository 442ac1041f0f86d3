"""Talking out loud through `os1 serve`: the voice socket of a real server process, on the
bundled model, Whisper and espeak; and a multi-mode server refuses an anonymous voice socket."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from os1.access import local_key
from os1.testing.servers import free_port, os1_server
from os1.voice.client import converse
from os1.voice.tts import PiperTTS
from tests.voice.conftest import script

pytestmark = pytest.mark.integration


async def test_a_spoken_turn_through_the_server(os1_home: Path) -> None:
    with os1_server(os1_home, free_port(), {"OS1_LLM__MAX_TOKENS": "16"}) as base:
        events: list[dict[str, Any]] = []
        recording = script(PiperTTS(steady=True), 0.3, "I love walking by the ocean.", 1.0)
        key = local_key(os1_home)
        await converse(base.replace("http", "ws") + "/v1/voice", recording, events.append, tail_s=40.0,
                       key=key)
        kinds = [e["type"] for e in events]
        assert "heard" in kinds and "say" in kinds and "saved" in kinds, kinds
        heard = next(e for e in events if e["type"] == "heard")
        assert "ocean" in heard["text"].lower()
        async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {key}"}) as client:
            memories = (await client.get("/v1/memories", params={"q": "ocean"})).json()["items"]
        assert any("ocean" in m["text"].lower() for m in memories)


async def test_an_anonymous_voice_socket_is_refused(tmp_path: Path) -> None:
    with os1_server(tmp_path / "multi", free_port(), {"OS1_SERVER__MODE": "multi"}) as base:
        with pytest.raises(InvalidStatus) as refused:
            async with websockets.connect(base.replace("http", "ws") + "/v1/voice") as ws:
                await ws.send(json.dumps({"type": "end"}))
        assert refused.value.response.status_code == 403
