"""Single mode opens only for a caller with this machine's key (``os1.access``): another local
process or a web page gets nothing; the printed link leaves it in an HttpOnly cookie; os1's own
clients send it as a bearer header. ``os1 talk --listen`` keeps the same rules."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from os1.access import COOKIE, FILE, QUERY, local_key
from os1.voice.server import admitted
from tests.server.conftest import BASE, CHAT_WS, Factory


def test_without_the_key_nothing_is_served(make_client: Factory) -> None:
    client = make_client(key=False)
    assert client.get("/v1/memories").status_code == 401
    assert client.get("/v1/memories/export").status_code == 401
    assert client.post("/v1/chat", json={"text": "hi"}).status_code in (401, 403)
    assert client.get("/v1/session").json()["user"] is None
    with pytest.raises(WebSocketDisconnect), client.websocket_connect(CHAT_WS):
        pass
    assert client.get("/v1/health").status_code == 200  # only that it is up


def test_a_wrong_key_opens_nothing(make_client: Factory) -> None:
    client = make_client(key=False)
    wrong = client.get(f"/login?{QUERY}=guess", follow_redirects=False)
    assert wrong.status_code == 403 and COOKIE not in client.cookies
    assert client.get("/v1/memories", headers={"Authorization": "Bearer guess"}).status_code == 401


def test_the_link_leaves_an_http_only_cookie_and_the_key_file_is_private(
        make_client: Factory, os1_home: Path) -> None:
    client = make_client(key=False)
    key = local_key(os1_home)
    opened = client.get(f"/login?{QUERY}={key}", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/"
    assert "httponly" in opened.headers["set-cookie"].lower()
    assert client.get("/v1/memories").status_code == 200
    assert stat.S_IMODE((os1_home / FILE).stat().st_mode) == 0o600


def test_a_bearer_key_works_for_programs(make_client: Factory, os1_home: Path) -> None:
    client = make_client(key=False)
    program = TestClient(client.app, base_url=BASE)  # no cookies of a browser
    bearer = {"Authorization": f"Bearer {local_key(os1_home)}"}
    assert program.get("/v1/memories", headers=bearer).status_code == 200
    chat = program.post("/v1/chat", json={"text": "hello"}, headers=bearer)
    assert chat.status_code == 200, chat.text


class _Socket:
    def __init__(self, **headers: str) -> None:
        self.headers = headers


def test_the_voice_listener_admits_only_this_machine_with_the_key() -> None:
    key = "k" * 43
    mine = {"host": "127.0.0.1:8765", "authorization": f"Bearer {key}"}
    assert admitted(_Socket(**mine), key)  # type: ignore[arg-type]
    assert not admitted(_Socket(host="127.0.0.1:8765"), key)  # type: ignore[arg-type]
    assert not admitted(_Socket(**{**mine, "authorization": "Bearer nope"}), key)  # type: ignore[arg-type]
    assert not admitted(_Socket(**mine, origin="https://evil.example"), key)  # type: ignore[arg-type]
    assert not admitted(_Socket(**{**mine, "host": "evil.example:8765"}), key)  # type: ignore[arg-type]
    assert admitted(_Socket(**mine, origin="http://127.0.0.1:8765"), key)  # type: ignore[arg-type]


def test_a_deeply_nested_import_is_a_clear_400(make_client: Factory) -> None:
    client = make_client()
    client.get("/v1/session")  # the page's CSRF cookie
    deep = "[" * 100_000 + "]" * 100_000
    reply = client.post("/v1/memories/import", content=deep,
                        headers={"X-CSRF-Token": client.cookies.get("os1_csrf") or ""})
    assert reply.status_code == 400 and "nested too deeply" in reply.json()["error"]


def test_the_api_map_is_not_public_in_multi_mode(make_client: Factory) -> None:
    multi = make_client(mode="multi")
    assert all(multi.get(path).status_code == 404 for path in ("/openapi.json", "/docs", "/redoc"))
    assert make_client(mode="multi", api_docs="on").get("/openapi.json").status_code == 200
