"""An os1 server app in-process (Starlette's TestClient), on a scripted model and the hashing
embedder, in single or multi mode."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from os1.access import QUERY, local_key
from os1.config import Settings
from os1.server.app import create_app
from os1.testing import ScriptedLLM

BASE = "http://127.0.0.1:8371"
CHAT_WS = "ws://127.0.0.1:8371/v1/chat/ws"
Factory = Callable[..., TestClient]


def server_settings(home: Path, **server: Any) -> Settings:
    return Settings(home=home, memory={"embedder": "hash"}, server=server)


@pytest.fixture
def make_client(os1_home: Path) -> Iterator[Factory]:
    """``make_client(mode=..., **server settings)``: a running app and a client for it."""
    opened: list[TestClient] = []

    def make(model: ScriptedLLM | None = None, *, key: bool = True, **server: Any) -> TestClient:
        """``key=False``: a single-mode client that has not opened the link with the machine's key."""
        app = create_app(server_settings(os1_home, **server), models={"local": model or ScriptedLLM()})
        client = TestClient(app, base_url=BASE)
        client.__enter__()
        opened.append(client)
        if server.get("mode", "single") == "single" and key:
            opened_link = client.get(f"/login?{QUERY}={local_key(os1_home)}", follow_redirects=False)
            assert opened_link.status_code == 303, opened_link.text
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def csrf(client: TestClient) -> dict[str, str]:
    """The header a browser page sends with unsafe requests."""
    return {"X-CSRF-Token": client.cookies.get("os1_csrf") or ""}


def register(client: TestClient, name: str, password: str = "correct horse") -> dict[str, Any]:
    reply = client.post("/v1/auth/register", json={"username": name, "password": password})
    assert reply.status_code == 201, reply.text
    me: dict[str, Any] = reply.json()
    return me
