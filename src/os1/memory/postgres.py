"""The shared store: ``Memory`` over PostgreSQL with pgvector, many users in one database
(``backends.postgres``); one store is bound to one user, and that binding is the isolation
boundary."""

from __future__ import annotations

from pathlib import Path

from os1.memory.backends.postgres.backend import Pool, PostgresBackend, check_user, connect
from os1.memory.backends.postgres.schema import PERSON_TABLES
from os1.memory.base import Embedder
from os1.memory.store.memory import Memory

__all__ = ["PostgresMemory", "erase_person", "person_rows"]


class PostgresMemory(Memory):
    """One user's memory in a shared PostgreSQL database."""

    backend: PostgresBackend

    @classmethod
    async def open(cls, dsn: str | Pool, user: str, embedder: Embedder, *,
                   max_connections: int = 4, files_dir: Path | None = None) -> PostgresMemory:
        """Open ``user``'s memory, creating the schema if needed. ``dsn`` is a libpq conninfo
        string or URI (the store then owns a pool of up to ``max_connections``), or an open
        ``AsyncConnectionPool`` shared with other users' stores (left open by ``close``).
        ``files_dir`` is the user's music folder, if composed pieces are kept on this machine."""
        check_user(user)
        pool, where, owned, info = await connect(dsn, max_connections)
        backend = PostgresBackend(pool, user, embedder.model_id, where=where, owned=owned,
                                  vector_info=info)
        backend.files_dir = files_dir
        return await cls(backend, embedder).ready()

    @property
    def user(self) -> str:
        return self.backend.user

    @property
    def files_dir(self) -> Path | None:
        """The user's music folder on this machine, if pieces are kept here."""
        return self.backend.files_dir

    @files_dir.setter
    def files_dir(self, folder: Path | None) -> None:
        self.backend.files_dir = folder


async def erase_person(pool: Pool, user: str) -> dict[str, int]:
    """Delete every row of ``user`` (a goodbye) in one transaction; how many, per table. Their
    store must be closed; other users' rows are untouched (``user_id`` leads every statement)."""
    check_user(user)
    deleted: dict[str, int] = {}
    async with pool.connection() as conn, conn.transaction():
        for table in PERSON_TABLES:
            cursor = await conn.execute(f"DELETE FROM {table} WHERE user_id = %s", (user,))
            deleted[table] = max(0, cursor.rowcount)
    return deleted


async def person_rows(pool: Pool, user: str) -> dict[str, int]:
    """How many rows ``user`` has in each table (after a goodbye: none)."""
    check_user(user)
    found: dict[str, int] = {}
    async with pool.connection() as conn:
        for table in PERSON_TABLES:
            cursor = await conn.execute(f"SELECT count(*) FROM {table} WHERE user_id = %s", (user,))
            row = await cursor.fetchone()
            found[table] = int(row[0]) if row is not None else 0
    return found
