"""The embedded store: ``Memory`` over one SQLite file per user (``backends.sqlite``)."""

from __future__ import annotations

from pathlib import Path

from os1.memory.backends.sqlite.backend import SQLiteBackend
from os1.memory.backends.sqlite.connection import encrypt_file, store_path
from os1.memory.base import Embedder
from os1.memory.store.memory import Memory

__all__ = ["SQLiteMemory", "encrypt_file", "store_path"]


class SQLiteMemory(Memory):
    """A user's memory in one SQLite file."""

    backend: SQLiteBackend

    @classmethod
    async def open(cls, path: Path, embedder: Embedder, key: str | None = None) -> SQLiteMemory:
        """Open (creating if needed) the store at ``path``; with ``key`` it is encrypted at rest
        with SQLCipher, and opening it with any other key fails with a clear error."""
        backend = SQLiteBackend(path, embedder.model_id, embedder.dim, key)
        await backend.open()
        return await cls(backend, embedder).ready()

    @property
    def path(self) -> Path:
        return self.backend.path
