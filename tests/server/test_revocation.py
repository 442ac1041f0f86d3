"""Open sockets end the moment what opened them stops being valid: logout, a revoked token, a
disabled account (told through the hub, noticed before the next turn, or at the next recheck)."""

from __future__ import annotations

import json
import threading
from typing import Any

import anyio
import pytest
from starlette.testclient import TestClient, WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from os1.server.site import Site
from os1.server.watch import ENDED
from os1.testing import ScriptedLLM
from tests.conftest import HANG_S
from tests.server.conftest import BASE, CHAT_WS, Factory, csrf, register


def _next(ws: WebSocketTestSession) -> dict[str, Any]:
    """The next event; a failure, not a hang, if none comes."""
    async def receive() -> Any:
        with anyio.fail_after(HANG_S):
            return await ws._send_rx.receive()

    message = ws.portal.call(receive)
    ws._raise_on_close(message)
    event: dict[str, Any] = json.loads(message["text"])
    return event


def _ended(ws: WebSocketTestSession) -> None:
    """The socket says why and closes with 4401; nothing else comes first but its own events."""
    while (event := _next(ws))["type"] != "error":
        assert event["type"] in ("notice", "recalled", "delta", "done"), event
    assert event["message"] == ENDED
    with pytest.raises(WebSocketDisconnect) as closed:
        _next(ws)
    assert closed.value.code == 4401


def _site(client: TestClient) -> Site:
    site: Site = client.app.state.site  # type: ignore[attr-defined]
    return site


def _say(ws: WebSocketTestSession, text: str) -> None:
    ws.send_text(json.dumps({"type": "say", "text": text}))


def _stored_turns(client: TestClient, user_id: str) -> int:
    async def count() -> int:
        async with _site(client).spaces.use(user_id) as space:
            return len(await space.store.list_memories(kind="utterance", limit=100))

    return client.portal.call(count)  # type: ignore[union-attr]


def test_logout_ends_the_sessions_socket_at_once(make_client: Factory) -> None:
    client = make_client(ScriptedLLM("Hello."), mode="multi")
    register(client, "theodore")
    with client.websocket_connect(CHAT_WS, headers={"origin": BASE}) as ws:
        assert client.post("/v1/auth/logout", headers=csrf(client)).status_code == 204
        _ended(ws)


def test_revoking_a_token_ends_what_it_opened_and_only_that(make_client: Factory) -> None:
    client = make_client(ScriptedLLM("Hello.", "Still here."), mode="multi")
    me = register(client, "theodore")
    made = client.post("/v1/tokens", json={"name": "phone"}, headers=csrf(client)).json()
    browser = client.websocket_connect(CHAT_WS, headers={"origin": BASE})
    phone = client.websocket_connect(CHAT_WS, headers={"authorization": f"Bearer {made['token']}"})
    with browser as on_browser, phone as on_phone:
        assert client.delete(f"/v1/tokens/{made['id']}", headers=csrf(client)).status_code == 204
        _ended(on_phone)
        _say(on_browser, "Are you there?")  # the browser's own session is untouched
        while (event := _next(on_browser))["type"] != "done":
            assert event["type"] != "error", event
    assert _stored_turns(client, me["id"]) == 2  # the browser's turn, nothing from the phone


def test_a_disabled_account_is_refused_before_its_next_turn(make_client: Factory) -> None:
    client = make_client(ScriptedLLM("Hello."), mode="multi", recheck_seconds=3600)
    me = register(client, "theodore")
    with client.websocket_connect(CHAT_WS, headers={"origin": BASE}) as ws:
        # changed where no hub reaches, as `os1 users disable` does without Redis
        accounts = _site(client).accounts
        assert accounts is not None
        client.portal.call(accounts.set_disabled, "theodore", True)  # type: ignore[union-attr]
        _say(ws, "My sister Ana lives in Lisbon.")
        _ended(ws)
    assert _stored_turns(client, me["id"]) == 0  # no turn ran, nothing was stored


def test_a_disabled_account_is_noticed_at_the_next_recheck(make_client: Factory) -> None:
    client = make_client(ScriptedLLM("Hello."), mode="multi", recheck_seconds=0.05)
    register(client, "theodore")
    with client.websocket_connect(CHAT_WS, headers={"origin": BASE}) as ws:
        accounts = _site(client).accounts
        assert accounts is not None
        client.portal.call(accounts.set_disabled, "theodore", True)  # type: ignore[union-attr]
        _ended(ws)  # without a word from the client


def test_disabling_through_the_hub_ends_every_socket_of_the_account(make_client: Factory) -> None:
    client = make_client(ScriptedLLM("Hello."), mode="multi", recheck_seconds=3600)
    me = register(client, "theodore")
    with client.websocket_connect(CHAT_WS, headers={"origin": BASE}) as one, \
            client.websocket_connect(CHAT_WS, headers={"origin": BASE}) as two:
        for ws in (one, two):  # a turn answered: the socket is past its start, and watched
            _say(ws, "Are you there?")
            while (event := _next(ws))["type"] != "done":
                assert event["type"] != "error", event
        client.portal.call(_site(client).revoke, me["id"], None)  # type: ignore[union-attr]
        _ended(one)
        _ended(two)


def test_rights_withdrawn_while_the_voices_load_end_the_voice_socket(
        make_client: Factory, monkeypatch: pytest.MonkeyPatch) -> None:
    client = make_client(ScriptedLLM("Hello."), mode="multi", recheck_seconds=3600)
    register(client, "theodore")
    site = _site(client)
    loading, loaded = threading.Event(), threading.Event()

    async def slow_voice() -> object:  # speech-to-text still loading when the session ends
        loading.set()
        await anyio.to_thread.run_sync(loaded.wait, abandon_on_cancel=True)
        return object()

    monkeypatch.setattr(site, "voice", slow_voice)
    voice = CHAT_WS.replace("/v1/chat/ws", "/v1/voice")
    with client.websocket_connect(voice, headers={"origin": BASE}) as ws:
        assert loading.wait(HANG_S)
        assert client.post("/v1/auth/logout", headers=csrf(client)).status_code == 204
        try:
            _ended(ws)  # at once, the voices not yet loaded
        finally:
            loaded.set()
