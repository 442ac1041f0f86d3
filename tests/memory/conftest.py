"""The two backends every store contract case runs on: SQLite in a temp directory, and a real
PostgreSQL 16 with pgvector (``pg_dsn`` in tests/conftest.py, one server per test session).
Every test uses fresh user ids, so tests share the database and never see each other's rows."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from os1.memory.base import Embedder
from os1.memory.store.memory import Memory
from os1.testing import FakeEmbedder

Opener = Callable[..., Awaitable[Memory]]  # (name="main", embedder=None) -> an open store


def new_user() -> str:
    return f"user-{uuid.uuid4().hex[:12]}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.integration)])
async def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Opener]:
    """Opens stores on one backend: the same ``name`` is the same user's memory again."""
    opened: list[Memory] = []
    user = new_user()

    async def opener(name: str = "main", embedder: Embedder | None = None) -> Memory:
        embedder = embedder or FakeEmbedder()
        if request.param == "sqlite":
            from os1.memory.sqlite import SQLiteMemory

            store: Memory = await SQLiteMemory.open(tmp_path / f"{name}.sqlite3", embedder)
        else:
            from os1.memory.postgres import PostgresMemory

            dsn = request.getfixturevalue("pg_dsn")
            store = await PostgresMemory.open(dsn, f"{user}-{name}", embedder,
                                              files_dir=tmp_path / f"{name}-music")
        opened.append(store)
        return store

    yield opener
    for store in opened:
        await store.close()


@pytest.fixture
async def memory(open_store: Opener) -> Memory:
    return await open_store()
