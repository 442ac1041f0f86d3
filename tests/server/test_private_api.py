"""Keeping a memory private over the HTTP API (PATCH ``private``), on both memory backends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from os1.access import QUERY, local_key
from os1.config import Settings
from os1.server.app import create_app
from os1.testing import ScriptedLLM
from tests.server.conftest import BASE, csrf


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.integration)])
def client(request: pytest.FixtureRequest, os1_home: Path) -> Iterator[TestClient]:
    memory: dict[str, str] = {"embedder": "hash"}
    if request.param == "postgres":
        memory |= {"backend": "postgres", "postgres_dsn": request.getfixturevalue("pg_dsn")}
    app = create_app(Settings(home=os1_home, memory=memory), models={"local": ScriptedLLM()})
    with TestClient(app, base_url=BASE) as opened:
        assert opened.get(f"/login?{QUERY}={local_key(os1_home)}", follow_redirects=False).status_code == 303
        yield opened


LINES = [{"format": "os1-memory", "version": 2, "user": "default", "profile": {}},
         {"id": 1, "kind": "utterance", "text": "My brother Tom works at the bakery.", "created_at": 1.0,
          "role": "user"},
         {"id": 2, "kind": "fact", "text": "The user's brother Tom works at the bakery.", "created_at": 2.0,
          "source_id": 1, "subject": "user's brother Tom", "predicate": "works_at", "object": "the bakery"},
         {"id": 3, "kind": "utterance", "text": "A bakery, how lovely.", "created_at": 3.0,
          "role": "assistant", "provenance": "assistant"}]


def test_a_memory_is_kept_private_with_its_saying_and_shared_again(client: TestClient) -> None:
    client.get("/v1/session")
    body = "".join(json.dumps(line) + "\n" for line in LINES)
    assert client.post("/v1/memories/import", content=body, headers=csrf(client)).json() == {"imported": 3}
    items = {m["text"]: m for m in client.get("/v1/memories").json()["items"]}
    said, fact = items[LINES[1]["text"]]["id"], items[LINES[2]["text"]]["id"]
    assert not any(m["private"] for m in items.values())
    kept = client.patch(f"/v1/memories/{fact}", json={"private": True}, headers=csrf(client))
    assert kept.status_code == 200 and kept.json()["private"] is True
    shown = client.get(f"/v1/memories/{said}").json()
    assert shown["item"]["private"] and [f["private"] for f in shown["related"]["derived"]] == [True]
    listed = {m["text"]: m["private"] for m in client.get("/v1/memories").json()["items"]}
    assert listed == {LINES[1]["text"]: True, LINES[2]["text"]: True, LINES[3]["text"]: False}
    shared = client.patch(f"/v1/memories/{said}", json={"private": False}, headers=csrf(client))
    assert shared.json()["private"] is False
    assert not any(m["private"] for m in client.get("/v1/memories").json()["items"])
    nothing = client.patch(f"/v1/memories/{said}", json={}, headers=csrf(client))
    assert nothing.status_code == 400 and "send text or private" in nothing.json()["error"]
    missing = client.patch("/v1/memories/999999", json={"private": True}, headers=csrf(client))
    assert missing.status_code == 404
