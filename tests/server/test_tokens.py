"""API tokens (scoped, expiring, minted only by the person), socket tickets, sessions one can end,
password change, and that ending any credential ends the sockets it opened."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient, WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from os1.server.site import Site
from os1.testing import ScriptedLLM
from tests.server.conftest import BASE, CHAT_WS, Factory, csrf, register
from tests.server.test_revocation import _ended, _next, _say


def _site(client: TestClient) -> Site:
    site: Site = client.app.state.site  # type: ignore[attr-defined]
    return site


def _other(client: TestClient) -> TestClient:
    """Another browser (its own cookie jar) on the same running app."""
    return TestClient(client.app, base_url=BASE)


def _token(client: TestClient, scope: str, name: str = "phone", **extra: Any) -> dict[str, Any]:
    made = client.post("/v1/tokens", json={"name": name, "scope": scope, **extra}, headers=csrf(client))
    assert made.status_code == 201, made.text
    body: dict[str, Any] = made.json()
    return body


def _bearer(token: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token['token']}"}


def _ticket(client: TestClient, headers: dict[str, str] | None = None) -> str:
    reply = client.post("/v1/sockets/ticket", headers=headers or csrf(client))
    assert reply.status_code == 200, reply.text
    ticket: str = reply.json()["ticket"]
    return ticket


def _refused(client: TestClient, url: str, **kwargs: Any) -> None:
    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect(url, **kwargs) as ws:
        ws.receive_text()
    assert closed.value.code == 1008


def _talks(ws: WebSocketTestSession) -> None:
    _say(ws, "Are you there?")
    while (event := _next(ws))["type"] != "done":
        assert event["type"] != "error", event


def test_a_tokens_scope_bounds_what_it_may_do(make_client: Factory) -> None:
    client = make_client(mode="multi")
    register(client, "theodore")
    app = _other(client)
    expected = {  # scope: (read memories, talk, change settings)
        "read": (200, 403, 403), "chat": (200, 200, 403), "admin": (200, 200, 200)}
    for scope, codes in expected.items():
        bearer = _bearer(_token(client, scope, name=scope))
        got = (app.get("/v1/memories", headers=bearer).status_code,
               app.post("/v1/chat", json={"text": "hello"}, headers=bearer).status_code,
               app.put("/v1/settings", json={"voice": "warm"}, headers=bearer).status_code)
        assert got == codes, scope
    listed = client.get("/v1/tokens").json()
    assert [(t["name"], t["scope"]) for t in listed] == [(s, s) for s in ("read", "chat", "admin")]
    assert all(t["expires_at"] > t["created_at"] for t in listed)
    assert "token" not in listed[0]  # never shown again


def test_no_token_mints_tokens_or_touches_the_password_or_sessions(make_client: Factory) -> None:
    client = make_client(mode="multi")
    register(client, "theodore")
    bearer = _bearer(_token(client, "admin"))
    app = _other(client)
    for method, path, body in (("POST", "/v1/tokens", {"name": "another", "scope": "admin"}),
                               ("GET", "/v1/tokens", None), ("GET", "/v1/sessions", None),
                               ("POST", "/v1/auth/password", {"current": "correct horse",
                                                              "new": "new horse!"})):
        reply = app.request(method, path, json=body, headers=bearer)
        assert reply.status_code == 403, (method, path, reply.text)
    assert len(client.get("/v1/tokens").json()) == 1


def test_an_expired_token_opens_nothing(make_client: Factory) -> None:
    client = make_client(mode="multi")
    register(client, "theodore")
    made = _token(client, "chat", days=1)
    app = _other(client)
    assert app.get("/v1/me", headers=_bearer(made)).status_code == 200
    accounts = _site(client).accounts
    assert accounts is not None
    client.portal.call(accounts.db.execute,  # type: ignore[union-attr]
                       "UPDATE os1_api_tokens SET expires_at = 1 WHERE id = ?", (made["id"],))
    assert app.get("/v1/me", headers=_bearer(made)).status_code == 401
    _refused(app, CHAT_WS, headers=_bearer(made))
    too_long = client.post("/v1/tokens", json={"name": "x", "days": 5000}, headers=csrf(client))
    assert too_long.status_code == 422 and set(too_long.json()) == {"error"}


def test_a_ticket_opens_one_socket_once(make_client: Factory) -> None:
    client = make_client(ScriptedLLM("Hello."), mode="multi")
    register(client, "theodore")
    app = _other(client)  # no cookie: the ticket alone opens the socket
    ticket = _ticket(client)
    with app.websocket_connect(f"{CHAT_WS}?ticket={ticket}", headers={"origin": BASE}) as ws:
        _talks(ws)
    _refused(app, f"{CHAT_WS}?ticket={ticket}")  # used
    _refused(app, f"{CHAT_WS}?ticket=made-up")
    read_only = _token(client, "read")
    assert app.post("/v1/sockets/ticket", headers=_bearer(read_only)).status_code == 403
    _refused(app, CHAT_WS, headers=_bearer(read_only))  # a socket talks: chat scope at least


def test_a_lasting_secret_in_a_socket_url_is_refused(make_client: Factory) -> None:
    client = make_client(mode="multi")
    register(client, "theodore")
    made = _token(client, "chat")
    _refused(_other(client), f"{CHAT_WS}?token={made['token']}")
    with _other(client).websocket_connect(CHAT_WS, headers=_bearer(made)) as ws:  # a header is fine
        _talks(ws)


def test_a_ticket_in_single_mode_too(make_client: Factory) -> None:
    client = make_client(ScriptedLLM("Hello."))
    client.get("/v1/session")  # the page's CSRF cookie
    ticket = _ticket(client)
    with TestClient(client.app, base_url=BASE).websocket_connect(f"{CHAT_WS}?ticket={ticket}") as ws:
        _talks(ws)
    _refused(TestClient(client.app, base_url=BASE), f"{CHAT_WS}?ticket={ticket}")


def test_every_way_in_ends_with_what_opened_it(make_client: Factory) -> None:
    """Each credential opens a socket directly and through a ticket; ending the credential ends
    both, and no other socket."""
    client = make_client(ScriptedLLM("Hello."), mode="multi", recheck_seconds=3600)
    register(client, "theodore")
    other = _other(client)
    login = {"username": "theodore", "password": "correct horse"}
    assert other.post("/v1/auth/login", json=login).status_code == 200
    token = _token(client, "chat")
    ended = total = 0
    with client.websocket_connect(CHAT_WS) as keeps:  # this browser's session stays throughout
        # a token: by header and by a ticket it asked for; revoked by the person
        with other.websocket_connect(CHAT_WS, headers=_bearer(token)) as one, \
                other.websocket_connect(f"{CHAT_WS}?ticket={_ticket(other, _bearer(token))}") as two:
            assert client.delete(f"/v1/tokens/{token['id']}", headers=csrf(client)).status_code == 204
            for ws in (one, two):
                _ended(ws)
                ended, total = ended + 1, total + 1
        # another browser's session: by cookie and by ticket; ended from this browser
        with other.websocket_connect(CHAT_WS) as one, \
                other.websocket_connect(f"{CHAT_WS}?ticket={_ticket(other, csrf(other))}") as two:
            theirs = next(s for s in client.get("/v1/sessions").json() if not s["current"])
            assert client.delete(f"/v1/sessions/{theirs['id']}", headers=csrf(client)).status_code == 204
            for ws in (one, two):
                _ended(ws)
                ended, total = ended + 1, total + 1
        assert other.get("/v1/me").status_code == 401
        _talks(keeps)
    assert (ended, total) == (4, 4)


def test_sessions_are_listed_and_the_password_changed(make_client: Factory) -> None:
    client = make_client(mode="multi", recheck_seconds=3600)
    register(client, "theodore")
    other = _other(client)
    login = {"username": "theodore", "password": "correct horse"}
    firefox = {"user-agent": "Firefox/1 Linux"}
    assert other.post("/v1/auth/login", json=login, headers=firefox).status_code == 200
    listed = client.get("/v1/sessions").json()
    assert len(listed) == 2 and sum(s["current"] for s in listed) == 1
    assert any("Firefox" in s["agent"] for s in listed)
    wrong = client.post("/v1/auth/password", json={"current": "wrong horse", "new": "a new horse"},
                        headers=csrf(client))
    assert wrong.status_code == 403
    short = client.post("/v1/auth/password", json={"current": "correct horse", "new": "short"},
                        headers=csrf(client))
    assert short.status_code == 400
    with other.websocket_connect(CHAT_WS) as theirs:
        changed = client.post("/v1/auth/password", json={"current": "correct horse", "new": "a new horse"},
                              headers=csrf(client))
        assert changed.status_code == 200, changed.text
        _ended(theirs)
    assert other.get("/v1/me").status_code == 401  # logged out elsewhere
    assert client.get("/v1/me").status_code == 200  # this browser got a fresh session
    assert len(client.get("/v1/sessions").json()) == 1
    assert _other(client).post("/v1/auth/login", json=login).status_code == 401
    assert _other(client).post("/v1/auth/login", json={**login, "password": "a new horse"}).status_code == 200


def test_hsts_only_behind_tls(make_client: Factory) -> None:
    client = make_client(mode="multi")
    assert "strict-transport-security" not in client.get("/v1/health").headers
    secure = client.get("https://127.0.0.1:8371/v1/health").headers
    assert secure["strict-transport-security"].startswith("max-age=")


def test_an_older_tokens_table_gets_its_new_columns(make_client: Factory) -> None:
    client = make_client(mode="multi")
    accounts = _site(client).accounts
    assert accounts is not None

    async def old_then_migrated() -> list[str]:
        await accounts.db.execute("DROP TABLE os1_api_tokens")
        await accounts.db.execute(
            "CREATE TABLE os1_api_tokens (id text PRIMARY KEY, account_id text NOT NULL,"
            " name text NOT NULL, token_hash text NOT NULL UNIQUE, created_at double precision NOT NULL)")
        await accounts.migrate()
        return [str(r[1]) for r in await accounts.db.fetchall("PRAGMA table_info(os1_api_tokens)")]

    columns = client.portal.call(old_then_migrated)  # type: ignore[union-attr]
    assert {"scope", "expires_at", "last_used_at"} <= set(columns)
