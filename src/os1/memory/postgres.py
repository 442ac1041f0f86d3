"""The shared store: ``Memory`` over PostgreSQL with pgvector, many users in one database
(``backends.postgres``); one store is bound to one user, and that binding is the isolation
boundary."""

from __future__ import annotations

from pathlib import Path

from os1.memory.backends.postgres.backend import Pool, PostgresBackend, check_user, connect
from os1.memory.base import Embedder
from os1.memory.store.memory import Memory

__all__ = ["PostgresMemory"]


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
