"""Multi mode with a server-held key: each person's store is encrypted with a key of its own,
derived from the server's, so a copied data directory holds no readable memories."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from os1.config import Settings
from os1.errors import ConfigError
from os1.memory.sqlite import store_path
from os1.server.app import create_app
from os1.server.spaces import person_key
from os1.testing import ScriptedLLM
from tests.cli.test_cli import run
from tests.server.conftest import BASE, csrf, register

KEY = "a server key, kept out of the data directory"


def _app(home: Path, **memory: str) -> TestClient:
    settings = Settings(home=home, memory={"embedder": "hash", "encryption_key": KEY, **memory},
                        server={"mode": "multi"})
    return TestClient(create_app(settings, models={"local": ScriptedLLM()}), base_url=BASE)


def test_each_persons_store_is_encrypted_with_their_own_key(os1_home: Path) -> None:
    people: dict[str, str] = {}
    with _app(os1_home) as client:
        for name in ("amy", "bob"):
            client.cookies.clear()
            people[name] = register(client, name)["id"]
            said = client.post("/v1/chat", json={"text": f"My name is {name} and I keep an owl, Hieronymus."},
                               headers=csrf(client))
            assert said.status_code == 200, said.text
    assert person_key(KEY, people["amy"]) != person_key(KEY, people["bob"])
    for user_id in people.values():
        store = store_path(os1_home, user_id)
        assert not store.read_bytes().startswith(b"SQLite format 3")
        # a word long enough that ciphertext holds it by chance far less than once in a million
        assert b"Hieronymus" not in store.read_bytes()
        with pytest.raises(sqlite3.DatabaseError):
            sqlite3.connect(store).execute("SELECT count(*) FROM sqlite_master").fetchone()
    with _app(os1_home) as client:  # the same key opens them again
        login = client.post("/v1/auth/login", json={"username": "amy", "password": "correct horse"})
        assert login.status_code == 200
        found = client.get("/v1/memories", params={"q": "owl"}).json()["items"]
        assert any("owl" in m["text"] for m in found)


def test_a_key_with_postgres_is_refused_with_what_to_do(os1_home: Path) -> None:
    client = _app(os1_home, backend="postgres", postgres_dsn="postgresql://nobody@127.0.0.1:1/os1")
    with pytest.raises(ConfigError, match="disk"):
        client.__enter__()


@pytest.mark.integration
def test_stores_made_before_the_key_are_encrypted_by_the_operator(os1_home: Path) -> None:
    settings = Settings(home=os1_home, memory={"embedder": "hash"}, server={"mode": "multi"})
    with TestClient(create_app(settings, models={"local": ScriptedLLM()}), base_url=BASE) as client:
        amy = register(client, "amy")["id"]
        client.post("/v1/chat", json={"text": "I keep an owl."}, headers=csrf(client))
    assert store_path(os1_home, amy).read_bytes().startswith(b"SQLite format 3")
    env = {"OS1_SERVER__MODE": "multi", "OS1_MEMORY__EMBEDDER": "hash", "OS1_MEMORY__ENCRYPTION_KEY": KEY}
    done = run(os1_home, "users", "encrypt", env=env)
    assert done.returncode == 0, done.stderr
    assert "1 store" in done.stdout
    assert not store_path(os1_home, amy).read_bytes().startswith(b"SQLite format 3")
    with _app(os1_home) as client:
        login = {"username": "amy", "password": "correct horse"}
        assert client.post("/v1/auth/login", json=login).status_code == 200
        assert any("owl" in m["text"] for m in client.get("/v1/memories").json()["items"])
