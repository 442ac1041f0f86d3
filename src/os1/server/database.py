"""The server's own small database (accounts, sessions, tokens): a SQLite file beside the users'
stores for one worker, or the shared PostgreSQL database when several workers serve one site.

Statements are written once, with ``?`` placeholders; the PostgreSQL runner turns them into
psycopg's ``%s``. Each call is one transaction."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

from os1.errors import ConfigError
from os1.files import private_database, private_dir

Row = tuple[Any, ...]
# the site's own values (its key, its VAPID key), one table in whichever database it has
SECRET_SCHEMA = "CREATE TABLE IF NOT EXISTS os1_site (name text PRIMARY KEY, value text NOT NULL)"


class Database(Protocol):
    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; the number of rows it changed."""
        ...

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None: ...

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    async def close(self) -> None: ...


async def make_tables(db: Database, *statements: str) -> None:
    """Run ``CREATE ... IF NOT EXISTS`` statements. Workers starting at once on an empty
    PostgreSQL database can race on one (its catalogue then reports a duplicate): the loser
    runs it again, when the table is there and the statement does nothing."""
    for statement in statements:
        for attempt in range(3):
            try:
                await db.execute(statement)
                break
            except Exception as exc:
                said = str(exc).lower()
                if attempt == 2 or ("already exists" not in said and "duplicate" not in said):
                    raise


class SQLiteDatabase:
    """One connection, owned by one thread, so the event loop never waits on the disk."""

    def __init__(self, path: Path) -> None:
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="os1-accounts")
        self._path = path
        self._db: sqlite3.Connection | None = None

    @classmethod
    async def open(cls, path: Path) -> SQLiteDatabase:
        database = cls(path)
        await database._call(database._connect)
        return database

    def _connect(self) -> None:
        private_dir(self._path.parent)  # the data directory, 0700
        private_database(self._path)  # accounts and sessions, 0600 (an older file is tightened)
        db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA busy_timeout = 10000")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA secure_delete = ON")  # a deleted row's bytes are zeroed (a goodbye)
        self._db = db

    async def _call(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise ConfigError("the accounts database is closed")
        return self._db

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        def run() -> int:
            with self._conn() as db:
                return db.execute(sql, tuple(params)).rowcount

        return int(await self._call(run))

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        row = await self._call(lambda: self._conn().execute(sql, tuple(params)).fetchone())
        return tuple(row) if row is not None else None

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        rows = await self._call(lambda: self._conn().execute(sql, tuple(params)).fetchall())
        return [tuple(r) for r in rows]

    async def close(self) -> None:
        if self._db is not None:
            await self._call(self._db.close)
            self._db = None
        self._executor.shutdown(wait=True)


class PostgresDatabase:
    """Statements on the site's psycopg connection pool (opened and closed by the server)."""

    def __init__(self, pool: Any) -> None:
        self._pool = pool

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("?", "%s")

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        async with self._pool.connection() as conn:
            cursor = await conn.execute(self._sql(sql), tuple(params))
            return int(cursor.rowcount)

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        async with self._pool.connection() as conn:
            cursor = await conn.execute(self._sql(sql), tuple(params))
            row = await cursor.fetchone()
            return tuple(row) if row is not None else None

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        async with self._pool.connection() as conn:
            cursor = await conn.execute(self._sql(sql), tuple(params))
            return [tuple(r) for r in await cursor.fetchall()]

    async def close(self) -> None:
        """The pool is the server's: it closes it after the stores that share it."""


def _where(dsn: str) -> str:
    """Where a connection string points, without its password."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(dsn)
    except Exception:
        return "a malformed connection string"
    host, port, name = parts.get("host") or "localhost", parts.get("port") or "5432", parts.get("dbname")
    return f"{host}:{port}" + (f", database {name}" if name else "")


async def reach_postgres(dsn: str) -> None:
    """One connection to the database, so that a server or command that cannot reach it stops
    with one line saying where and why (the pool alone only times out)."""
    import psycopg

    try:
        conn = await psycopg.AsyncConnection.connect(dsn, connect_timeout=5)
    except psycopg.Error as exc:
        why = (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
        raise ConfigError(f"cannot reach PostgreSQL at memory.postgres_dsn ({_where(dsn)}): {why}") from None
    await conn.close()


async def open_pool(dsn: str, *, min_size: int, max_size: int) -> Any:
    """A psycopg pool on a database known to be reachable."""
    from psycopg_pool import AsyncConnectionPool

    await reach_postgres(dsn)
    pool = AsyncConnectionPool(dsn, min_size=min_size, max_size=max_size, open=False)
    await pool.open(wait=True, timeout=10)
    return pool
