"""The embedded backend: one SQLite file per user (WAL), FTS5 for words, vectors as BLOBs
mirrored in an in-process ``VectorIndex``.

All SQLite work runs on threads shared by every open store, one call at a time per store, so the
event loop never blocks and the connection is never used by two threads at once. Every write is
one ``BEGIN IMMEDIATE`` transaction; a crash loses at most the write in flight.
``secure_delete`` overwrites forgotten content.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from os1.errors import MemoryStoreError
from os1.files import tighten_folder
from os1.memory.backends.sqlite.connection import mapped, open_file, pool
from os1.memory.backends.sqlite.index import PieceIndex, VectorIndex
from os1.memory.backends.sqlite.tx import SQLiteTx
from os1.memory.moments import music_dir

T = TypeVar("T")


class SQLiteBackend:
    """One user's memory in one SQLite file, with its vectors mirrored in memory."""

    def __init__(self, path: Path, model_id: str, dim: int, key: str | None = None) -> None:
        self.path = path
        self.model_id = model_id
        self._key = key
        self._lock = asyncio.Lock()  # one transaction at a time on this store's connection
        self._db: sqlite3.Connection | None = None
        self.index = VectorIndex(dim)
        self.pieces = PieceIndex(dim)  # sentence vectors of multi-sentence memories
        self._data_version = -1

    @property
    def files_dir(self) -> Path:
        """Where this user's composed pieces live: the ``music`` folder beside the store."""
        return music_dir(self.path.parent)

    async def open(self) -> None:
        def open_and_index() -> None:
            self._db = open_file(self.path, self._key)
            tighten_folder(self.files_dir)  # composed pieces an older version wrote
            self.reload_index()

        async with self._lock:
            await self.call(open_and_index)

    async def close(self) -> None:
        async with self._lock:
            if self._db is not None:
                await self.call(self._db.close)
                self._db = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise MemoryStoreError("the memory store is closed")
        return self._db

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn`` off the event loop on a thread shared by all stores (a server holds a
        thousand stores open, not a thousand threads); SQLite errors become one-line
        MemoryStoreErrors. The caller holds this store's lock."""
        def run() -> T:
            with mapped(self.path):
                return fn(*args)

        call = asyncio.get_running_loop().run_in_executor(pool(), run)
        try:
            return await asyncio.shield(call)
        finally:
            # cancelled: the call runs to its end before the store's lock is let go, even when
            # the cancel is repeated (anyio's cancel scopes, a server shutting down): a close on
            # another thread while SQLite still runs this call would crash the process
            while not call.done():
                with suppress(asyncio.CancelledError):
                    await asyncio.wait([call])

    @asynccontextmanager
    async def transaction(self, *, write: bool = False) -> AsyncIterator[SQLiteTx]:
        """One transaction, after this store's earlier ones: ``BEGIN IMMEDIATE`` for a write
        (started with its first statement), committed when the block ends, rolled back if it
        raises. The vector index first catches up with other processes' commits."""
        async with self._lock:
            tx = SQLiteTx(self, write)
            try:
                yield tx
            except BaseException:
                if tx.begun:
                    await self.call(tx.end, False)
                raise
            if tx.begun or tx.queue:
                await self.call(tx.end, True)
            tx.committed()

    async def compact(self) -> None:
        """Rewrite the file so that nothing forgotten survives anywhere in it: merge the word
        index (dropping deleted entries), VACUUM, and truncate the write-ahead log."""
        def optimize_and_vacuum() -> None:
            self.db.execute("INSERT INTO memories_fts(memories_fts) VALUES ('optimize')")
            self.db.execute("VACUUM")
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

        async with self._lock:
            await self.call(optimize_and_vacuum)

    def sync_index(self) -> None:
        """Reload the vector index if another process changed the store since."""
        if int(self.db.execute("PRAGMA data_version").fetchone()[0]) != self._data_version:
            self.reload_index()

    def reload_index(self) -> None:
        """Mirror the vectors tables (at open, or after another process changed the store)."""
        self.index.clear()
        rows = self.db.execute("SELECT memory_id, v FROM vectors WHERE model = ?",
                               (self.model_id,)).fetchall()
        if rows:
            matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32)
            self.index.add_many([r[0] for r in rows], matrix.reshape(len(rows), -1))
        self.pieces.clear()
        rows = self.db.execute("SELECT memory_id, n, v FROM piece_vectors WHERE model = ?",
                               (self.model_id,)).fetchall()
        if rows:
            matrix = np.frombuffer(b"".join(r[2] for r in rows), dtype=np.float32)
            self.pieces.load([(r[0], r[1]) for r in rows], matrix.reshape(len(rows), -1))
        self._data_version = int(self.db.execute("PRAGMA data_version").fetchone()[0])
