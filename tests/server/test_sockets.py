"""The chat socket: streamed turns, stop, bad messages, notices from other sockets."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from os1.testing import ScriptedLLM
from tests.server.conftest import CHAT_WS, Factory, csrf


def _until(ws: Any, kind: str) -> list[dict[str, Any]]:
    events = []
    while True:
        event = json.loads(ws.receive_text())
        events.append(event)
        if event["type"] == kind:
            return events


def _ready(client: TestClient) -> None:
    client.get("/v1/session")


class SlowLLM(ScriptedLLM):
    """Streams one word every 10 ms, as a model on a busy machine does."""

    async def stream(self, messages: Any, *, tools: Any = (), options: Any = None) -> AsyncIterator[Any]:
        async for event in super().stream(messages, tools=tools, options=options):
            await asyncio.sleep(0.01)
            yield event


def test_a_turn_streams_then_is_done(make_client: Factory) -> None:
    words = 40  # one each 10 ms: 0.4 s of reply, in frames at most one each 50 ms
    client = make_client(SlowLLM(" ".join(f"word{n}" for n in range(words))))
    _ready(client)
    with client.websocket_connect(CHAT_WS) as ws:
        ws.send_text(json.dumps({"type": "say", "text": "Tell me something."}))
        events = _until(ws, "done")
    kinds = [e["type"] for e in events]
    assert kinds[0] == "recalled" and kinds[-1] == "done"
    deltas = [e["text"] for e in events if e["type"] == "delta"]
    assert deltas[0] == "word0 "  # the first words leave at once
    assert 3 < len(deltas) < words / 2 and "".join(deltas) == events[-1]["reply"]
    assert events[-1]["interrupted"] is False and events[-1]["reply_id"] is not None


def test_bad_messages_get_an_error_and_the_socket_stays(make_client: Factory) -> None:
    client = make_client(ScriptedLLM("Still here."))
    _ready(client)
    with client.websocket_connect(CHAT_WS) as ws:
        for raw in ("not json", json.dumps({"type": "dance"}), json.dumps({"type": "say", "text": 3}),
                    json.dumps({"type": "say", "text": "   "})):
            ws.send_text(raw)
            error = _until(ws, "error")[-1]
            assert "\n" not in error["message"]
        ws.send_text(json.dumps({"type": "say", "text": "Are you there?"}))
        assert _until(ws, "done")[-1]["reply"] == "Still here."


def test_other_sockets_of_the_user_hear_of_the_turn(make_client: Factory) -> None:
    client = make_client(ScriptedLLM("Good morning."))
    _ready(client)
    with client.websocket_connect(CHAT_WS) as phone, client.websocket_connect(CHAT_WS) as laptop:
        phone.send_text(json.dumps({"type": "say", "text": "Morning!"}))
        _until(phone, "done")
        notice = _until(laptop, "notice")[-1]
    assert notice["kind"] == "turn" and notice["said"] == "Morning!" and notice["reply"] == "Good morning."


def test_a_reminder_reaches_the_open_socket(make_client: Factory) -> None:
    client = make_client()
    _ready(client)
    client.put("/v1/settings", json={"quiet_hours": ""}, headers=csrf(client))
    with client.websocket_connect(CHAT_WS) as ws:
        made = client.post("/v1/reminders", json={"text": "Call Amy", "in_seconds": 0.2},
                           headers=csrf(client))
        assert made.status_code == 201
        notice = _until(ws, "notice")[-1]
    assert notice["kind"] == "reminder" and notice["text"] == "Call Amy"


def test_a_reminder_due_in_quiet_hours_waits_for_them_to_end(make_client: Factory) -> None:
    client = make_client()
    _ready(client)
    now = datetime.now()
    start, end = (now - timedelta(hours=1)).strftime("%H:%M"), (now + timedelta(hours=2)).strftime("%H:%M")
    client.put("/v1/settings", json={"quiet_hours": f"{start}-{end}"}, headers=csrf(client))
    assert _held_till_morning(client, "Water the plant")  # moved to the end of the quiet hours


def _held_till_morning(client: TestClient, text: str) -> bool:
    """Ask for a reminder due now; whether it was put back to over an hour from now."""
    made = client.post("/v1/reminders", json={"text": text, "in_seconds": 0}, headers=csrf(client)).json()
    jobs = client.app.state.site.jobs  # type: ignore[attr-defined]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(j["at"] > made["at"] + 3600 for _, _, j in jobs._heap):
        time.sleep(0.05)
    waiting = [j for _, _, j in jobs._heap if j["text"] == text]
    return len(waiting) == 1 and waiting[0]["at"] - time.time() > 3600


def test_a_socket_from_another_site_is_refused(make_client: Factory) -> None:
    client = make_client()
    try:
        with client.websocket_connect(CHAT_WS, headers={"origin": "https://evil.example"}):
            raise AssertionError("the socket was accepted")
    except WebSocketDisconnect as refused:
        assert refused.code == 1008


def test_stop_keeps_what_was_said_as_interrupted(make_client: Factory) -> None:
    slow = SlowLLM(" ".join(f"word{n}" for n in range(4000)))
    client = make_client(slow)
    _ready(client)
    with client.websocket_connect(CHAT_WS) as ws:
        ws.send_text(json.dumps({"type": "say", "text": "Tell me a long story."}))
        _until(ws, "delta")
        ws.send_text(json.dumps({"type": "stop"}))
        done = _until(ws, "done")[-1]
    assert done["interrupted"] is True
    assert done["reply"].startswith("word0") and len(done["reply"].split()) < 4000
    kept = client.get("/v1/memories", params={"kind": "utterance"}).json()["items"]
    assert any(m["status"] == "interrupted" and m["text"] == done["reply"].strip() for m in kept)


def test_quiet_hours_are_in_the_users_own_time_zone(make_client: Factory) -> None:
    client = make_client()
    _ready(client)
    zone = "Pacific/Kiritimati"  # UTC+14: its night is not the server's (UTC-12 to UTC+2 here)
    there = datetime.now(ZoneInfo(zone))
    assert abs(there.utcoffset() - datetime.now().astimezone().utcoffset()) > timedelta(hours=3)  # type: ignore[operator]
    span = f"{(there - timedelta(hours=1)):%H:%M}-{(there + timedelta(hours=2)):%H:%M}"
    settings = client.put("/v1/settings", json={"quiet_hours": span, "time_zone": zone},
                          headers=csrf(client)).json()
    assert settings["time_zone"] == zone
    with client.websocket_connect(CHAT_WS):
        assert _held_till_morning(client, "Feed the cat")  # quiet where the user lives

