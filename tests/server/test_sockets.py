"""The chat socket: streamed turns, stop, bad messages, notices from other sockets."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import anyio
import pytest
from starlette.testclient import TestClient, WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from os1.testing import ScriptedLLM
from tests.conftest import HANG_S, wait_until
from tests.server.conftest import CHAT_WS, Factory, csrf

# The server's own time zone is UTC here, wherever the tests run: quiet hours without a zone
# of the user's own follow it.
pytestmark = pytest.mark.usefixtures("utc")


def _receive(ws: WebSocketTestSession, timeout: float = HANG_S) -> dict[str, Any]:
    """The next event on the socket; a failure, not a hang, if none comes within ``timeout``."""
    async def next_message() -> Any:
        with anyio.fail_after(timeout):
            return await ws._send_rx.receive()

    try:
        message = ws.portal.call(next_message)
    except TimeoutError:
        pytest.fail(f"no event on the socket in {timeout:g} s")
    ws._raise_on_close(message)
    event: dict[str, Any] = json.loads(message["text"])
    return event


def _until(ws: WebSocketTestSession, kind: str) -> list[dict[str, Any]]:
    """Events up to and including the first of ``kind``."""
    events = []
    while True:
        event = _receive(ws)
        events.append(event)
        if event["type"] == kind:
            return events


def _ready(client: TestClient) -> None:
    client.get("/v1/session")


class BurstLLM(ScriptedLLM):
    """Streams its words in bursts of ``burst``, yielding to the event loop between bursts, as a
    fast model on a busy machine does: each burst is queued for the socket all at once."""

    def __init__(self, *replies: str, burst: int) -> None:
        super().__init__(*replies)
        self.burst = burst

    async def stream(self, messages: Any, *, tools: Any = (), options: Any = None) -> AsyncIterator[Any]:
        sent = 0
        async for event in super().stream(messages, tools=tools, options=options):
            if sent and sent % self.burst == 0:
                await asyncio.sleep(0)
            sent += 1
            yield event


class StallingLLM(ScriptedLLM):
    """Streams ``words`` words, then holds the rest of the reply back until the turn is stopped."""

    def __init__(self, *replies: str, words: int) -> None:
        super().__init__(*replies)
        self.words = words

    async def stream(self, messages: Any, *, tools: Any = (), options: Any = None) -> AsyncIterator[Any]:
        sent = 0
        async for event in super().stream(messages, tools=tools, options=options):
            if sent == self.words:
                await asyncio.Event().wait()  # never set: only a stop ends this
            sent += 1
            yield event


def test_a_turn_streams_then_is_done(make_client: Factory) -> None:
    """The protocol's promises, which hold however the machine schedules the socket: the turn
    starts with what was recalled and ends with ``done``; the deltas are the reply, in order;
    words queued together go as one frame, so a frame ends only where a burst does and there
    are at most as many frames as bursts. (How many bursts share a frame depends on timing,
    and is not asserted.)"""
    words, burst = 40, 5
    reply = [f"word{n}" for n in range(words)]
    client = make_client(BurstLLM(" ".join(reply), burst=burst))
    _ready(client)
    with client.websocket_connect(CHAT_WS) as ws:
        ws.send_text(json.dumps({"type": "say", "text": "Tell me something."}))
        events = _until(ws, "done")
    kinds = [e["type"] for e in events]
    assert kinds[0] == "recalled" and kinds[-1] == "done"
    assert set(kinds[1:-1]) == {"delta"}
    deltas = [e["text"] for e in events if e["type"] == "delta"]
    assert "".join(deltas) == events[-1]["reply"] == " ".join(reply)
    assert 1 <= len(deltas) <= words // burst  # a burst is never split over frames
    assert deltas[0].startswith(" ".join(reply[:burst]) + " ")
    ends = [len(" ".join(reply[:n + 1])) for n in range(words)]  # where each word ends
    cut = 0
    for delta in deltas[:-1]:
        cut += len(delta)
        assert cut - 1 in ends and (ends.index(cut - 1) + 1) % burst == 0  # after a whole burst
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
    now = datetime.now()  # the server's own time (UTC, pinned above)
    start, end = (now - timedelta(hours=1)).strftime("%H:%M"), (now + timedelta(hours=2)).strftime("%H:%M")
    client.put("/v1/settings", json={"quiet_hours": f"{start}-{end}"}, headers=csrf(client))
    assert _held_till_morning(client, "Water the plant")  # moved to the end of the quiet hours


def _held_till_morning(client: TestClient, text: str) -> bool:
    """Ask for a reminder due now; whether it was put back to over an hour from now. The job
    is taken off the schedule when it is due and, in quiet hours, put back for their end:
    wait until it is back, whatever time that is, then look at the time."""
    made = client.post("/v1/reminders", json={"text": text, "in_seconds": 0}, headers=csrf(client)).json()
    site = client.app.state.site  # type: ignore[attr-defined]

    def waiting() -> list[dict[str, Any]]:
        jobs = client.portal.call(site.jobs.pending, site.local_account().id)
        return [j for j in jobs if j.get("text") == text]

    wait_until(lambda: [j for j in waiting() if j["at"] != made["at"]], "the reminder to be put back")
    [job] = waiting()
    return bool(job["at"] - time.time() > 3600)


def test_a_socket_from_another_site_is_refused(make_client: Factory) -> None:
    client = make_client()
    try:
        with client.websocket_connect(CHAT_WS, headers={"origin": "https://evil.example"}):
            raise AssertionError("the socket was accepted")
    except WebSocketDisconnect as refused:
        assert refused.code == 1008


def test_stop_keeps_what_was_said_as_interrupted(make_client: Factory) -> None:
    said = [f"word{n}" for n in range(4000)]
    client = make_client(StallingLLM(" ".join(said), words=3))
    _ready(client)
    with client.websocket_connect(CHAT_WS) as ws:
        ws.send_text(json.dumps({"type": "say", "text": "Tell me a long story."}))
        _until(ws, "delta")
        ws.send_text(json.dumps({"type": "stop"}))
        done = _until(ws, "done")[-1]
    assert done["interrupted"] is True
    assert done["reply"].split() == said[:3]  # what was said before the stop, and no more
    kept = client.get("/v1/memories", params={"kind": "utterance"}).json()["items"]
    assert any(m["status"] == "interrupted" and m["text"] == done["reply"].strip() for m in kept)


def test_quiet_hours_are_in_the_users_own_time_zone(make_client: Factory) -> None:
    client = make_client()
    _ready(client)
    zone = "Pacific/Kiritimati"  # UTC+14: its night is not the server's (UTC, pinned above)
    there = datetime.now(ZoneInfo(zone))
    assert datetime.now().astimezone().utcoffset() == timedelta(0)
    span = f"{(there - timedelta(hours=1)):%H:%M}-{(there + timedelta(hours=2)):%H:%M}"
    settings = client.put("/v1/settings", json={"quiet_hours": span, "time_zone": zone},
                          headers=csrf(client)).json()
    assert settings["time_zone"] == zone
    with client.websocket_connect(CHAT_WS):
        assert _held_till_morning(client, "Feed the cat")  # quiet where the user lives

