"""The goodbye for a server account over the API: the letter and the export (downloaded as a zip),
two confirmations, then the account erased with proof, its rows counted again (SQLite, and
PostgreSQL with Redis); another account on the same server keeps everything."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from starlette.testclient import TestClient

from os1.config import Settings
from os1.server.app import create_app
from os1.testing import ScriptedLLM
from os1.testing.servers import redis_server
from tests.server.conftest import BASE, Factory, csrf, make_client, register  # noqa: F401 (a fixture)

ALICE_SAID = "My grandmother's lighthouse stood on the northern cliffs of Madeira."
BOB_SAID = "I keep a small garden of tomatoes and basil behind the bakery."


def _as(client: TestClient, jar: dict[str, str]) -> TestClient:
    """The one client (one event loop for the app) as the person whose cookies these are."""
    client.cookies.clear()
    client.cookies.update(jar)
    return client


Jar = dict[str, str]


def _two(client: TestClient, one: str, two: str) -> tuple[dict[str, Any], Jar, dict[str, Any], Jar]:
    """Two accounts registered on one server: each one's account and cookies."""
    first = register(client, one)
    first_jar = dict(client.cookies)
    client.cookies.clear()
    second = register(client, two)
    return first, first_jar, second, dict(client.cookies)


def _subscribe(client: TestClient, name: str) -> None:
    """A browser of this person's, subscribed to Web Push (a row in the site's database)."""
    keys = {"p256dh": base64.urlsafe_b64encode(b"\x04" + b"k" * 64).decode().rstrip("="),
            "auth": base64.urlsafe_b64encode(b"a" * 16).decode().rstrip("=")}
    made = client.post("/v1/push/subscriptions", headers=csrf(client),
                       json={"endpoint": f"https://push.example.com/{name}", "keys": keys})
    assert made.status_code == 201, made.text


def _chat(client: TestClient, text: str) -> None:
    reply = client.post("/v1/chat", json={"text": text}, headers=csrf(client))
    assert reply.status_code == 200, reply.text


def _said(client: TestClient) -> list[str]:
    items = client.get("/v1/memories", params={"kind": "utterance", "limit": 50}).json()["items"]
    return [m["text"] for m in items]


def _say_goodbye(client: TestClient) -> dict[str, Any]:
    """The whole path, with each refusal on the way; the proof."""
    assert client.post("/v1/goodbye/erase", json={"word": "erase"}, headers=csrf(client)).status_code == 409
    begun = client.post("/v1/goodbye", headers=csrf(client))
    assert begun.status_code == 201, begun.text
    shown = begun.json()
    assert shown["verified"] and shown["next"] == "download" and "AI" in shown["letter"]
    early = client.post("/v1/goodbye/confirm", json={"word": "goodbye"}, headers=csrf(client))
    assert early.status_code == 409 and "download" in early.json()["error"]
    got = client.get("/v1/goodbye/export")
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(got.content)).namelist()
    assert {"os1-goodbye/memory.jsonl", "os1-goodbye/archive/index.html", "os1-goodbye/farewell.txt",
            "os1-goodbye/memory-folder/README.md", "os1-goodbye/manifest.json"} <= set(names)
    export = zipfile.ZipFile(io.BytesIO(got.content)).read("os1-goodbye/memory.jsonl").decode()
    assert ALICE_SAID in export and BOB_SAID not in export
    wrong = client.post("/v1/goodbye/confirm", json={"word": "yes"}, headers=csrf(client))
    assert wrong.status_code == 409
    confirmed = client.post("/v1/goodbye/confirm", json={"word": "goodbye"}, headers=csrf(client))
    assert confirmed.json()["next"] == "erase"
    assert client.post("/v1/goodbye/erase", json={"word": "ok"}, headers=csrf(client)).status_code == 409
    assert ALICE_SAID in _said(client)  # nothing erased by a wrong word
    erased = client.post("/v1/goodbye/erase", json={"word": "erase"}, headers=csrf(client))
    assert erased.status_code == 200, erased.text
    proof: dict[str, Any] = erased.json()
    return proof


def test_an_account_says_goodbye_and_another_keeps_everything(make_client: Factory, os1_home: Path) -> None:  # noqa: F811
    client = make_client(ScriptedLLM(default="How lovely."), mode="multi", registration=True)
    me, alice, _, bob = _two(client, "alice", "bob")
    _chat(client, BOB_SAID)
    _subscribe(client, "bob")
    _chat(_as(client, alice), ALICE_SAID)
    _subscribe(client, "alice")
    token = client.post("/v1/tokens", json={"name": "script", "scope": "admin"}, headers=csrf(client)).json()
    by_token = {"Authorization": f"Bearer {token['token']}"}
    assert client.post("/v1/goodbye", headers=by_token).status_code == 403  # never a token
    assert (os1_home / "users" / me["id"]).is_dir()

    proof = _say_goodbye(client)
    assert proof["clean"] and proof["rows_left"] == {} and proof["traces_looked_for"] >= 1
    assert proof["checked_files"] >= 1 and not (os1_home / "users" / me["id"]).exists()
    assert proof["rows_erased"]["sqlite:os1_accounts"] == 1 and proof["rows_erased"]["sqlite:os1_push"] == 1
    assert not (os1_home / "goodbyes" / me["id"]).exists()  # the export went with it, after download
    assert client.get("/v1/me").status_code == 401
    assert _as(client, alice).get("/v1/me").status_code == 401  # the old cookie opens nothing
    again = {"username": "alice", "password": "correct horse"}
    assert client.post("/v1/auth/login", json=again).status_code == 401
    assert BOB_SAID in _said(_as(client, bob))  # the other account is untouched
    assert client.get("/v1/push").json()["endpoints"] == ["https://push.example.com/bob"]
    assert client.get("/v1/goodbye").status_code == 404


def test_words_said_after_the_export_stop_the_erasing_and_cancelling_keeps_all(
        make_client: Factory, os1_home: Path) -> None:  # noqa: F811
    client = make_client(ScriptedLLM(default="Mm."))  # single mode: the local user
    client.get("/v1/session")  # the page's first call, which hands it the CSRF cookie
    _chat(client, ALICE_SAID)
    assert client.post("/v1/goodbye", headers=csrf(client)).status_code == 201
    assert client.get("/v1/goodbye").json()["next"] == "download"
    assert client.get("/v1/goodbye/export").status_code == 200
    first = client.post("/v1/goodbye/confirm", json={"word": "Goodbye "}, headers=csrf(client))
    assert first.status_code == 200
    _chat(client, BOB_SAID)  # said after the export: it is not in it
    late = client.post("/v1/goodbye/erase", json={"word": "erase"}, headers=csrf(client))
    assert late.status_code == 409 and "changed since the export" in late.json()["error"]
    assert {ALICE_SAID, BOB_SAID} <= set(_said(client))
    assert client.delete("/v1/goodbye", headers=csrf(client)).status_code == 204
    assert client.get("/v1/goodbye").status_code == 404 and not (os1_home / "goodbyes" / "default").exists()
    assert ALICE_SAID in _said(client)


@pytest.fixture
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.mark.integration
def test_on_postgres_and_redis_the_rows_and_keys_are_gone(os1_home: Path, pg_dsn: str,
                                                          redis_url: str) -> None:
    memory = {"embedder": "hash", "backend": "postgres", "postgres_dsn": pg_dsn}
    settings = Settings(home=os1_home, memory=memory, server={"mode": "multi", "redis_url": redis_url})
    app = create_app(settings, models={"local": ScriptedLLM(default="Oh.")})
    with TestClient(app, base_url=BASE) as client:
        me, alice, other, bob = _two(client, "alice-pg", "bob-pg")
        _chat(client, BOB_SAID)
        _chat(_as(client, alice), ALICE_SAID)
        held = ("INSERT INTO os1_actions (owner, created_at, tool, arguments, status)"
                " VALUES (%s, 0, 'send', '{}', 'held')")  # an action waiting for each one's yes
        with psycopg.connect(pg_dsn, autocommit=True) as db:
            for owner in (me["id"], other["id"]):
                db.execute(held, (owner,))
        keys = redis.Redis.from_url(redis_url)
        assert keys.keys(f"os1:*{me['id']}*")  # its rate-limit counter, for one
        proof = _say_goodbye(client)
        assert proof["clean"] and proof["rows_left"] == {}, json.dumps(proof)[:2000]
        assert proof["rows_erased"]["postgres:os1_memories"] >= 2  # what it said, and the reply
        assert proof["rows_erased"]["postgres:os1_accounts"] == 1 and proof["rows_erased"]["redis"] >= 1
        assert keys.keys(f"os1:*{me['id']}*") == []
        assert proof["rows_erased"]["postgres:os1_actions"] == 1
        assert _as(client, alice).get("/v1/me").status_code == 401
        assert BOB_SAID in _said(_as(client, bob)) and keys.keys(f"os1:*{other['id']}*")
        with psycopg.connect(pg_dsn) as db:
            count = "SELECT count(*) FROM os1_actions WHERE owner = %s"
            assert [db.execute(count, (who,)).fetchone() for who in (me["id"], other["id"])] == [(0,), (1,)]
