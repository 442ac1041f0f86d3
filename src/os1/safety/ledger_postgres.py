"""The action ledger's rows in the site's PostgreSQL database: every user's in one table, each
row naming its owner, so that what one worker (or ``os1 say yes``) held for a person's yes any
other can show, confirm or decline, and run once.

The guard asks the ledger synchronously between awaits, so these rows go through psycopg's
synchronous pool: a few short statements per turn on a nearby database. The ledger's
statements are written for SQLite's ``actions`` table with ``?`` placeholders; they are turned
here into ``os1_actions`` and ``%s``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from os1.safety.ledger import Row

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS os1_actions (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        owner text NOT NULL,
        created_at double precision NOT NULL,
        tool text NOT NULL,
        arguments text NOT NULL,
        preview text NOT NULL DEFAULT '',
        reasons text NOT NULL DEFAULT '[]',
        foreign_values text NOT NULL DEFAULT '{}',
        outbound integer NOT NULL DEFAULT 0,
        status text NOT NULL,
        result text NOT NULL DEFAULT '',
        resolved_at double precision)""",
    "CREATE INDEX IF NOT EXISTS os1_actions_owner_status ON os1_actions (owner, status)",
)
_TABLE = re.compile(r"\bactions\b")
POOL_SIZE = 4  # statements are short: a few connections serve a worker's every ledger


class PostgresRows:
    """Every user's ledger rows on one small synchronous pool, shared by a worker."""

    def __init__(self, pool: Any) -> None:
        self._pool = pool

    @classmethod
    def open(cls, dsn: str, *, size: int = POOL_SIZE) -> PostgresRows:
        """A pool on ``dsn`` with the table made (once, under a lock, however many workers start
        at once)."""
        from psycopg_pool import ConnectionPool

        pool = ConnectionPool(dsn, min_size=1, max_size=size, open=False)
        pool.open(wait=True, timeout=10)
        with pool.connection() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('os1 actions schema', 0))")
            for statement in SCHEMA:
                conn.execute(statement)
        return cls(pool)

    @staticmethod
    def _sql(sql: str) -> str:
        return _TABLE.sub("os1_actions", sql).replace("?", "%s")

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self._pool.connection() as conn:
            return int(conn.execute(self._sql(sql), tuple(params)).rowcount)

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        with self._pool.connection() as conn:
            row = conn.execute(self._sql(sql), tuple(params)).fetchone()
            return tuple(row) if row is not None else None

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self._pool.connection() as conn:
            return [tuple(r) for r in conn.execute(self._sql(sql), tuple(params)).fetchall()]

    def close(self) -> None:
        self._pool.close()
