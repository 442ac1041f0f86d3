"""Multi-user mode: registration, login, sessions, CSRF, tokens, brute force, and isolation
between users (user B, logged in, tries every endpoint with user A's ids)."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.testclient import TestClient

from tests.server.conftest import BASE, CHAT_WS, Factory, csrf, register
from tests.server.test_share_api import picture


def _second_browser(client: TestClient) -> TestClient:
    """Another browser (its own cookie jar) on the same running app."""
    return TestClient(client.app, base_url=BASE)


def test_register_login_logout(make_client: Factory) -> None:
    client = make_client(mode="multi")
    assert client.get("/v1/session").json() == {"mode": "multi", "registration": True, "user": None,
                                                 "csrf": None}
    assert client.get("/v1/me").status_code == 401
    me = register(client, "Theodore")
    assert me["username"] == "theodore" and me["onboarded"] is False
    assert client.get("/v1/me").json()["id"] == me["id"]
    assert client.post("/v1/auth/logout", headers=csrf(client)).status_code == 204
    assert client.get("/v1/me").status_code == 401
    wrong = client.post("/v1/auth/login", json={"username": "theodore", "password": "wrong password"})
    assert wrong.status_code == 401 and wrong.json() == {"error": "wrong username or password"}
    right = client.post("/v1/auth/login", json={"username": "Theodore", "password": "correct horse"})
    assert right.status_code == 200 and right.json()["id"] == me["id"]


def test_registration_refuses_bad_and_taken_names(make_client: Factory) -> None:
    client = make_client(mode="multi")
    register(client, "amy")
    taken = client.post("/v1/auth/register", json={"username": "AMY", "password": "long enough"})
    assert taken.status_code == 409
    for name, password in (("a", "long enough"), ("../etc", "long enough"), ("paul", "short")):
        reply = client.post("/v1/auth/register", json={"username": name, "password": password})
        assert reply.status_code == 400, (name, reply.text)


def test_closed_registration(make_client: Factory) -> None:
    client = make_client(mode="multi", registration=False)
    reply = client.post("/v1/auth/register", json={"username": "amy", "password": "long enough"})
    assert reply.status_code == 403


def test_a_session_id_planted_before_login_is_not_kept(make_client: Factory) -> None:
    client = make_client(mode="multi")
    register(client, "theodore")
    client.post("/v1/auth/logout", headers=csrf(client))
    client.cookies.set("os1_session", "planted-by-an-attacker", domain="127.0.0.1")
    client.post("/v1/auth/login", json={"username": "theodore", "password": "correct horse"})
    assert client.cookies.get("os1_session") not in (None, "planted-by-an-attacker")
    attacker = _second_browser(client)
    attacker.cookies.set("os1_session", "planted-by-an-attacker")
    assert attacker.get("/v1/me").status_code == 401


def test_unsafe_requests_need_the_sessions_csrf_token(make_client: Factory) -> None:
    client = make_client(mode="multi")
    register(client, "theodore")
    assert client.post("/v1/chat", json={"text": "hi"}).status_code == 403
    assert client.post("/v1/chat", json={"text": "hi"}, headers={"X-CSRF-Token": "guess"}).status_code == 403
    assert client.post("/v1/chat", json={"text": "hi"}, headers=csrf(client)).status_code == 200


def test_guessing_slows_an_account_but_never_locks_its_owner_out(make_client: Factory) -> None:
    client = make_client(mode="multi", login_attempts=3, login_delay_seconds=0)
    register(client, "theodore")
    codes = [client.post("/v1/auth/login",
                         json={"username": "theodore", "password": f"guess {n}"}).status_code
             for n in range(6)]
    assert codes == [401] * 6  # slowed after three, never refused for the account
    owner = client.post("/v1/auth/login", json={"username": "theodore", "password": "correct horse"})
    assert owner.status_code == 200


def test_an_address_that_keeps_failing_is_refused_and_successes_never_count(make_client: Factory) -> None:
    client = make_client(mode="multi", login_attempts=2, login_delay_seconds=0)
    for name in ("amy", "bob"):
        register(_second_browser(client), name)
    right = {"username": "amy", "password": "correct horse"}
    assert all(client.post("/v1/auth/login", json=right).status_code == 200 for _ in range(12))
    codes = [client.post("/v1/auth/login", json={"username": "bob", "password": f"guess {n}"}).status_code
             for n in range(9)]
    assert codes == [401] * 8 + [429]  # four times the per-account number, from one address
    refused = client.post("/v1/auth/login", json=right)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0


def test_api_tokens_work_without_cookies_and_can_be_revoked(make_client: Factory) -> None:
    client = make_client(mode="multi")
    register(client, "theodore")
    made = client.post("/v1/tokens", json={"name": "phone"}, headers=csrf(client)).json()
    assert made["token"].startswith("os1_")
    app = _second_browser(client)
    bearer = {"Authorization": f"Bearer {made['token']}"}
    assert app.post("/v1/chat", json={"text": "hello"}, headers=bearer).status_code == 200
    assert [t["name"] for t in client.get("/v1/tokens").json()] == ["phone"]
    assert client.delete(f"/v1/tokens/{made['id']}", headers=csrf(client)).status_code == 204
    assert app.get("/v1/me", headers=bearer).status_code == 401


def test_a_disabled_account_is_logged_out(make_client: Factory) -> None:
    client = make_client(mode="multi")
    register(client, "theodore")
    site = client.app.state.site  # type: ignore[attr-defined]
    client.portal.call(site.accounts.set_disabled, "theodore", True)  # type: ignore[union-attr]
    assert client.get("/v1/me").status_code == 401
    again = client.post("/v1/auth/login", json={"username": "theodore", "password": "correct horse"})
    assert again.status_code == 401


def _fill(path: str, ids: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)


def test_user_b_cannot_reach_user_as_data_through_any_endpoint(make_client: Factory) -> None:
    client = make_client(mode="multi", api_docs="on")  # every route, from the API map
    register(client, "amy")
    said = client.post("/v1/chat", json={"text": "My secret is the owl."}, headers=csrf(client)).json()
    token = client.post("/v1/tokens", json={"name": "laptop"}, headers=csrf(client)).json()
    photo = client.post("/v1/share", content=picture(), headers={**csrf(client), "Content-Type": "image/png"})
    piece = client.post("/v1/chat", json={"text": "/compose"}, headers=csrf(client)).json()["asked"]
    letter = client.post("/v1/letters", headers=csrf(client), json={
        "to": "Ana", "from": "Amy", "occasion": "her birthday", "text": "Dear Ana,\n\nHappy birthday.\n\nAmy",
        "keep_flagged": True}).json()
    before = client.get("/v1/memories/export").text
    ids = {"memory_id": said["said_id"], "entry_id": said["said_id"], "token_id": token["id"],
           "session_id": client.get("/v1/sessions").json()[0]["id"], "digest": photo.json()["images"][0],
           "piece_id": piece["moment_id"], "what": "audio",
           "letter_id": letter["id"],
           "name": "book.pdf"}  # amy's book, if she had made one; no agent or voice is named so

    b = _second_browser(client)
    register(b, "bob")
    spec = client.get("/openapi.json").json()
    tried = 0
    for path, methods in spec["paths"].items():
        if "{" not in path:
            continue
        for method in methods:
            # a body each route accepts, so that only whose data it is can refuse it
            body = ({"version": 1, "accepted": [0]} if path.endswith("/proofread")
                    else {"text": "overwritten by bob"} if method in ("patch", "post") else None)
            reply = b.request(method.upper(), _fill(path, ids), json=body, headers=csrf(b))
            assert reply.status_code == 404, (method, path, reply.text)
            tried += 1
    assert tried >= 4
    for memory in b.get("/v1/memories", params={"q": "secret owl"}).json()["items"]:
        assert "owl" not in memory["text"]
    assert "owl" not in b.get("/v1/memories/export").text
    assert client.get("/v1/memories/export").text.split("\n", 1)[1] == before.split("\n", 1)[1]
    assert b.get("/v1/tokens").json() == []


def test_sockets_need_a_login_and_see_only_their_user(make_client: Factory) -> None:
    client = make_client(mode="multi")
    try:
        with client.websocket_connect(CHAT_WS):
            raise AssertionError("an anonymous socket was accepted")
    except Exception as refused:
        assert getattr(refused, "code", None) == 1008
    register(client, "amy")
    b = _second_browser(client)
    register(b, "bob")
    with client.websocket_connect(CHAT_WS) as amy, b.websocket_connect(CHAT_WS) as bob:
        bob.send_text(json.dumps({"type": "say", "text": "Bob here."}))
        while json.loads(bob.receive_text())["type"] != "done":
            pass
        amy.send_text(json.dumps({"type": "say", "text": "Amy here."}))
        events = []
        while (event := json.loads(amy.receive_text()))["type"] != "done":
            events.append(event)
    assert not any(e["type"] == "notice" for e in events)
