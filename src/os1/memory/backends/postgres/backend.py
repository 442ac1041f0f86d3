"""PostgreSQL with pgvector, many users in one database; one backend is bound to one user, and
that binding is the isolation boundary.

Every statement matches ``user_id`` to the backend's user. Ids are unique across users, yet an id
alone never addresses a row: another user's id finds nothing, deletes nothing and updates
nothing. Each transaction runs on a pooled connection (psycopg 3, async); the pool is the
backend's own when opened from a DSN, or shared between users when one is passed in. psycopg
errors become one-line ``MemoryStoreError`` messages.
"""

from __future__ import annotations

import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, TypeAlias

import psycopg
from pgvector.psycopg.vector import register_vector_info
from psycopg import AsyncConnection
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import TupleRow
from psycopg.types import TypeInfo
from psycopg_pool import AsyncConnectionPool, PoolClosed, PoolTimeout

from os1.errors import MemoryStoreError
from os1.memory.backends.postgres.schema import Conn, migrate
from os1.memory.backends.postgres.tx import PostgresTx

Pool: TypeAlias = AsyncConnectionPool[AsyncConnection[TupleRow]]

CONNECT_TIMEOUT = 10  # seconds to reach the server
_TAUGHT: weakref.WeakSet[Any] = weakref.WeakSet()  # connections that know the vector type


def _line(exc: BaseException) -> str:
    """The error's text on one line, bounded."""
    return " ".join(str(exc).split())[:300]


def _message(where: str, exc: psycopg.Error) -> str:
    """A one-line message naming the server and, where there is one, the fix."""
    text = _line(exc)
    if isinstance(exc, PoolTimeout):
        return f"{where} is busy: no pooled connection came free in time; try again"
    if isinstance(exc, PoolClosed):
        return f"{where}: the connection pool is closed"
    if isinstance(exc, psycopg.OperationalError) and (exc.sqlstate or "08").startswith("08"):
        return f"cannot reach {where}: {text}; check the DSN and that the server is running"
    if 'extension "vector"' in text:
        return (f"{where} cannot use pgvector: {text}; install pgvector on the server and have an"
                " admin run CREATE EXTENSION vector")
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return f"{where} refused access: {text}; grant the role rights on the os1_* tables"
    if isinstance(exc, psycopg.IntegrityError):
        return f"memory store {where} refused a write: {text}"
    return f"memory store {where}: {text}"


@contextmanager
def mapped(where: str) -> Iterator[None]:
    """psycopg (and pool) errors become one-line MemoryStoreErrors."""
    try:
        yield
    except psycopg.Error as exc:
        raise MemoryStoreError(_message(where, exc)) from exc


def describe(conninfo: str) -> str:
    """The server and database a DSN names, for messages: never its password."""
    try:
        params = conninfo_to_dict(conninfo)
    except psycopg.Error as exc:
        raise MemoryStoreError(f"bad PostgreSQL DSN: {_line(exc)}") from exc
    port = f":{params['port']}" if params.get("port") else ""
    return f"PostgreSQL {params.get('host') or 'localhost'}{port}/{params.get('dbname') or ''}"


def check_user(user: str) -> str:
    if not user or len(user) > 256 or not user.isprintable():
        raise MemoryStoreError(f"bad user id {user[:40]!r}: use 1 to 256 printable characters")
    return user


async def prepare(conn: Conn) -> TypeInfo:
    """Migrate, commit, and look up the vector type for the adapters."""
    await migrate(conn)
    await conn.commit()
    info = await TypeInfo.fetch(conn, "vector")
    if info is None:
        raise MemoryStoreError("the pgvector type 'vector' is missing after migration")
    return info


async def connect(dsn: str | Pool, max_connections: int) -> tuple[Pool, str, bool, TypeInfo]:
    """A pool, the server it reaches (for messages), whether it is the caller's own, and the
    vector type. From a DSN: migrate on a direct connection first (so that an unreachable server
    is a prompt, clear error rather than a pool timeout), then open a pool of up to
    ``max_connections``; a pool passed in is shared with other users' backends."""
    if not isinstance(dsn, str):
        where = describe(dsn.conninfo) if isinstance(dsn.conninfo, str) else "PostgreSQL"
        with mapped(where):
            async with dsn.connection() as conn:
                return dsn, where, False, await prepare(conn)
    where = describe(dsn)
    with mapped(where):
        async with await AsyncConnection.connect(dsn, connect_timeout=CONNECT_TIMEOUT) as conn:
            info = await prepare(conn)
        pool: Pool = AsyncConnectionPool(dsn, min_size=1, max_size=max_connections, open=False,
                                         kwargs={"connect_timeout": CONNECT_TIMEOUT})
        await pool.open(wait=True, timeout=CONNECT_TIMEOUT)
    return pool, where, True, info


class PostgresBackend:
    """One user's memory in a shared PostgreSQL database."""

    files_dir: Path | None = None  # the user's music folder on this machine, if pieces are kept here

    def __init__(self, pool: Pool, user: str, model_id: str, *, where: str, owned: bool,
                 vector_info: TypeInfo) -> None:
        self.user = check_user(user)
        self.model_id = model_id
        self.where = where
        self._pool: Pool | None = pool
        self._owned = owned
        self._vector_info = vector_info

    @property
    def pool(self) -> Pool:
        if self._pool is None:
            raise MemoryStoreError("the memory store is closed")
        return self._pool

    async def close(self) -> None:
        if self._pool is not None and self._owned:
            await self._pool.close()
        self._pool = None

    @asynccontextmanager
    async def transaction(self, *, write: bool = False) -> AsyncIterator[PostgresTx]:
        """One transaction on a pooled connection: committed when the block ends, rolled back
        if it raises. A connection new to os1 learns the vector type first (a local step, no
        round trip, but it builds adapter classes: too slow to repeat for every transaction)."""
        pool = self.pool
        with mapped(self.where):
            async with pool.connection() as conn:
                if conn not in _TAUGHT:
                    register_vector_info(conn, self._vector_info)
                    _TAUGHT.add(conn)
                yield PostgresTx(conn, self.user, self.model_id)

    async def compact(self) -> None:
        """VACUUM the memory tables so forgotten rows' space is reclaimed. Unlike SQLite's
        compact this cannot promise that no trace survives (the WAL, replicas and backups are
        the server's), and it runs over all users' rows, though it reads none of them out."""
        pool = self.pool
        with mapped(self.where):
            async with pool.connection() as conn:
                await conn.set_autocommit(True)  # VACUUM cannot run inside a transaction
                try:
                    await conn.execute("VACUUM (ANALYZE) os1_memories, os1_vectors, os1_piece_vectors")
                finally:
                    await conn.set_autocommit(False)
