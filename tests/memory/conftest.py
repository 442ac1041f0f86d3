"""The two backends every store contract case runs on: SQLite in a temp directory, and a real
PostgreSQL 16 with pgvector from the ``pgserver`` wheel, started once per test session in a temp
directory and reached over its Unix socket only (it listens on no TCP address). As root, pgserver
runs the server as a ``pgserver`` system user that it creates with ``useradd``, since PostgreSQL
refuses to run as root. Every test uses fresh user ids, so tests share the database and never see
each other's rows."""

from __future__ import annotations

import shutil
import tempfile
import uuid
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from os1.memory.base import Embedder
from os1.memory.store.memory import Memory
from os1.testing import FakeEmbedder

Opener = Callable[..., Awaitable[Memory]]  # (name="main", embedder=None) -> an open store


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns at import when XDG_RUNTIME_DIR is unset
        from pgserver.postgres_server import get_server
    root = Path(tempfile.mkdtemp(prefix="os1-pg-"))  # short: the socket path must fit in 107 bytes
    server = get_server(root / "pgdata", cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
        shutil.rmtree(root, ignore_errors=True)


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
