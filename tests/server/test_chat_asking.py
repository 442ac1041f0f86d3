"""A letter asked for in the web app's chat ("write a letter to Ana for her birthday"): the
streamed turn carries the draft as a ``letter`` event, with each detail and where it was found
(the invented ones flagged), and nothing is kept until the person says yes through
``POST /v1/letters``, whose rule keeps a flagged draft only on their explicit word. First on the
in-process app with a scripted model that invents details, then on a real ``os1 serve`` with the
bundled model, over a real socket. A piece asked for is composed and kept as a moment, and mail
asked of a model without tools gets what works, neither calling the model."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from os1.access import local_key
from os1.testing import ScriptedLLM
from os1.testing.servers import free_port, os1_server
from tests.asking.test_answers import INVENTED
from tests.conftest import HANG_S
from tests.server.conftest import CHAT_WS, Factory, csrf, register
from tests.server.test_browser import FAST
from tests.server.test_sockets import _until

ASKED = "write a letter to Ana for her birthday"


def keep_body(letter: dict[str, Any], **more: Any) -> dict[str, Any]:
    """What the chat's "Keep it" sends: the draft's brief and text."""
    brief = letter["brief"]
    return {"to": brief["to"], "from": brief["from"], "occasion": brief["occasion"],
            "tone": brief["tone"], "client": brief["client"], "text": letter["text"], **more}


def test_the_chat_answers_with_the_draft_and_keeps_it_only_on_yes(make_client: Factory) -> None:
    client = make_client(ScriptedLLM(INVENTED, INVENTED))
    client.get("/v1/session")
    with client.websocket_connect(CHAT_WS) as ws:
        ws.send_text(json.dumps({"type": "say", "text": ASKED}))
        events = _until(ws, "done")
    assert [e["type"] for e in events] == ["letter", "done"]
    letter, done = events
    assert letter["brief"]["to"] == "Ana" and letter["text"].startswith("Dear Ana,")
    assert {"Porto", "Ricardo"} <= set(letter["grounding"]["flagged"])
    where = {d["text"]: d["sources"] for d in letter["grounding"]["details"]}
    assert where["Ana"] == ["brief: to"] and where["Porto"] == []
    assert "Shall I keep it?" in done["reply"] and done["said_id"] is None
    assert client.get("/v1/letters").json()["letters"] == []  # drafted, not kept

    refused = client.post("/v1/letters", json=keep_body(letter), headers=csrf(client))
    assert refused.status_code == 409 and "Porto" in refused.json()["error"]
    kept = client.post("/v1/letters", json=keep_body(letter, keep_flagged=True), headers=csrf(client))
    assert kept.status_code == 201, kept.text
    assert [x["id"] for x in client.get("/v1/letters").json()["letters"]] == [kept.json()["id"]]

    whole = client.post("/v1/chat", json={"text": ASKED}, headers=csrf(client))  # the same, unstreamed
    assert whole.status_code == 200, whole.text
    assert whole.json()["asked"]["type"] == "letter" and whole.json()["said_id"] is None
    assert len(client.get("/v1/letters").json()["letters"]) == 1  # a second draft, not kept
    assert client.get("/v1/memories?kind=utterance").json()["items"] == []  # deeds, not turns


async def _events_until_done(ws: Any) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    while not events or events[-1]["type"] not in ("done", "error"):
        events.append(json.loads(await asyncio.wait_for(ws.recv(), timeout=HANG_S)))
    return events


@pytest.mark.integration
async def test_on_the_bundled_model_over_a_real_server(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with os1_server(home, free_port(), FAST, ("--mode", "single")) as base:
        bearer = {"Authorization": f"Bearer {local_key(home)}"}
        async with httpx.AsyncClient(base_url=base, headers=bearer, timeout=HANG_S) as client:
            ticket = (await client.post("/v1/sockets/ticket")).json()["ticket"]
            url = base.replace("http", "ws") + f"/v1/chat/ws?ticket={ticket}"
            async with websockets.connect(url, open_timeout=HANG_S) as ws:
                await ws.send(json.dumps({"type": "say", "text": ASKED}))
                events = await _events_until_done(ws)
            assert [e["type"] for e in events] == ["letter", "done"], events
            letter = events[0]
            for detail in letter["grounding"]["details"]:  # whatever the model wrote, each is placed
                assert (detail["text"] in letter["grounding"]["flagged"]) != bool(detail["sources"])
            assert (await client.get("/v1/letters")).json()["letters"] == []
            flagged = bool(letter["grounding"]["flagged"])
            if flagged:  # the yes alone does not keep invented details
                refused = await client.post("/v1/letters", json=keep_body(letter))
                assert refused.status_code == 409
            kept = await client.post("/v1/letters", json=keep_body(letter, keep_flagged=flagged))
            assert kept.status_code == 201, kept.text
            assert len((await client.get("/v1/letters")).json()["letters"]) == 1


def test_mail_asked_of_a_model_without_tools_gets_what_works(make_client: Factory) -> None:
    model = ScriptedLLM()
    client = make_client(model)
    client.get("/v1/session")
    whole = client.post("/v1/chat", json={"text": "check my mail"}, headers=csrf(client))
    assert whole.status_code == 200, whole.text
    assert "os1 mail summary" in whole.json()["reply"] and whole.json()["asked"] is None
    assert model.history == []  # the model was not asked to ramble


def test_music_asked_for_in_the_chat_is_composed_and_kept_as_a_moment(make_client: Factory) -> None:
    model = ScriptedLLM()
    client = make_client(model)
    client.get("/v1/session")
    with client.websocket_connect(CHAT_WS) as ws:
        ws.send_text(json.dumps({"type": "say", "text": "play me a song"}))
        events = _until(ws, "done")
    assert [e["type"] for e in events] == ["piece", "done"]
    piece, done = events
    assert piece["kind"] == "piece" and done["reply"] == piece["said"] and piece["said"]
    shown = client.get(f"/v1/memories/{piece['moment_id']}")
    assert shown.status_code == 200, shown.text
    assert model.history == []  # composed by code, on any model


def _compose(client: Any, text: str) -> dict[str, Any]:
    whole = client.post("/v1/chat", json={"text": text}, headers=csrf(client))
    assert whole.status_code == 200, whole.text
    piece: dict[str, Any] = whole.json()["asked"]
    assert piece["type"] == "piece", piece
    return piece


def test_a_composed_piece_is_heard_by_its_owner_only(make_client: Factory) -> None:
    """``/compose`` typed in the chat composes as the plain words do; the piece's audio and MIDI
    are served to the account that owns it, listed as a piece in its memories, and another
    account gets 404 for the same id."""
    model = ScriptedLLM()
    client = make_client(model, mode="multi")
    register(client, "alice")
    piece = _compose(client, "/compose")
    audio = client.get(f"/v1/music/{piece['moment_id']}/audio")
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/wav"
    assert audio.content[:4] == b"RIFF" and audio.content[8:12] == b"WAVE"
    midi = client.get(f"/v1/music/{piece['moment_id']}/midi")
    assert midi.status_code == 200 and midi.headers["content-type"] == "audio/midi"
    assert midi.content[:4] == b"MThd"
    listed = {m["id"]: m for m in client.get("/v1/memories").json()["items"]}
    assert listed[piece["moment_id"]]["piece"] is True
    assert [m["piece"] for i, m in listed.items() if i != piece["moment_id"]] == [False] * (len(listed) - 1)
    assert model.history == []  # composed by code, not sent to the model as text

    client.post("/v1/auth/logout", headers=csrf(client))
    register(client, "bob")
    for what in ("audio", "midi"):
        gone = client.get(f"/v1/music/{piece['moment_id']}/{what}")
        assert gone.status_code == 404 and gone.json()["error"] == "no such piece", gone.text
    assert client.get("/v1/music/1/score").status_code in (404, 422)  # only audio and midi


def test_only_a_piece_is_served_as_music(make_client: Factory) -> None:
    client = make_client(ScriptedLLM("Noted."))
    client.get("/v1/session")
    said = client.post("/v1/chat", json={"text": "My cat Pickles sleeps on the piano."}, headers=csrf(client))
    assert said.status_code == 200, said.text
    sentence = said.json()["said_id"]
    assert client.get(f"/v1/music/{sentence}/audio").status_code == 404  # a sentence, not a piece
    assert client.get("/v1/music/0/audio").status_code == 422
