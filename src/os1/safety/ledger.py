"""The action ledger: every side effect os1 proposed, ran, or refused.

It is at once the audit log of outbound actions, the queue of actions waiting for the user's
yes (so ``os1 say yes`` in a new process, or another worker of a site, can confirm what the last
one proposed), and the counter behind the outbound rate limits. Rows are tiny; each call is one
short statement.

The statements are written once here; where the rows live is a narrow seam (``Rows``): a small
SQLite file of the user's own, or their rows in the site's PostgreSQL database
(``os1.safety.ledger_postgres``), so that any worker can confirm what another held.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from os1.files import private_database, private_dir

Status = str  # pending | running | done | failed | declined | expired | blocked
Row = tuple[Any, ...]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS actions (
    id INTEGER PRIMARY KEY,
    owner TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    tool TEXT NOT NULL,
    arguments TEXT NOT NULL,
    preview TEXT NOT NULL DEFAULT '',
    reasons TEXT NOT NULL DEFAULT '[]',
    foreign_values TEXT NOT NULL DEFAULT '{}',
    outbound INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    result TEXT NOT NULL DEFAULT '',
    resolved_at REAL
);
CREATE INDEX IF NOT EXISTS actions_status ON actions(status);
"""
_COLUMNS = ("id, created_at, tool, arguments, preview, reasons, foreign_values, outbound, status,"
            " result")


class Rows(Protocol):
    """Where a ledger's rows live; statements use ``?`` placeholders and the table ``actions``."""

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; the number of rows it changed."""
        ...

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None: ...

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    def close(self) -> None: ...


class SQLiteRows:
    """One user's ledger file (``path=None``: in memory, for tests and one-off runs)."""

    def __init__(self, path: Path | None = None) -> None:
        if path is not None:  # what os1 did for the user: private, like the store
            private_dir(path.parent)
            private_database(path)
        self._db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False,
                                   isolation_level=None)
        self._db.execute("PRAGMA busy_timeout = 10000")
        self._db.executescript(_SCHEMA)
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(actions)")}
        if "owner" not in columns:  # a file written before ledgers could be shared
            self._db.execute("ALTER TABLE actions ADD COLUMN owner TEXT NOT NULL DEFAULT ''")
        self._lock = threading.Lock()

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self._lock:
            return int(self._db.execute(sql, tuple(params)).rowcount)

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        with self._lock:
            row = self._db.execute(sql, tuple(params)).fetchone()
        return tuple(row) if row is not None else None

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self._lock:
            return [tuple(r) for r in self._db.execute(sql, tuple(params)).fetchall()]

    def close(self) -> None:
        self._db.close()


@dataclass(frozen=True)
class Action:
    """One side effect: what tool, with which exact arguments, and why it needs a yes."""

    id: int
    created_at: float
    tool: str
    arguments: dict[str, Any]
    preview: str
    reasons: tuple[str, ...]
    foreign: dict[str, str]
    outbound: bool
    status: Status
    result: str


class ActionLedger:
    """One user's actions, on ``rows`` (a file at ``path``, or in memory when neither is given);
    ``owner`` names the user where rows of many users share a table."""

    def __init__(self, path: Path | None = None, *, rows: Rows | None = None, owner: str = "") -> None:
        self._rows: Rows = rows if rows is not None else SQLiteRows(path)
        self._owner = owner
        self._owns_rows = rows is None  # shared rows (a site's pool) are closed by their owner

    def add(self, tool: str, arguments: dict[str, Any], status: Status, *, preview: str = "",
            reasons: tuple[str, ...] = (), foreign: dict[str, str] | None = None,
            outbound: bool = False, result: str = "") -> Action:
        row = (self._owner, time.time(), tool, json.dumps(arguments, sort_keys=True), preview,
               json.dumps(list(reasons)), json.dumps(foreign or {}), int(outbound), status, result)
        added = self._rows.one(
            "INSERT INTO actions (owner, created_at, tool, arguments, preview, reasons, foreign_values,"
            f" outbound, status, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {_COLUMNS}", row)
        assert added is not None
        return _action(added)

    def resolve(self, action_id: int, status: Status, result: str = "") -> None:
        self._rows.run("UPDATE actions SET status = ?, result = ?, resolved_at = ? WHERE id = ?"
                       " AND owner = ?", (status, result, time.time(), action_id, self._owner))

    def claim(self, action_id: int) -> bool:
        """Take a pending action to run it: True for exactly one caller, on whichever worker or
        process the user's yes arrives, so that it runs once."""
        return self._rows.run("UPDATE actions SET status = 'running' WHERE id = ? AND owner = ?"
                              " AND status = 'pending'", (action_id, self._owner)) == 1

    def get(self, action_id: int) -> Action | None:
        row = self._rows.one(f"SELECT {_COLUMNS} FROM actions WHERE id = ? AND owner = ?",
                             (action_id, self._owner))
        return _action(row) if row else None

    def pending(self, max_age_s: float = 3600.0) -> list[Action]:
        """Actions still waiting for a yes, oldest first; older ones than ``max_age_s`` expire."""
        self._rows.run("UPDATE actions SET status = 'expired', resolved_at = ? WHERE owner = ?"
                       " AND status = 'pending' AND created_at < ?",
                       (time.time(), self._owner, time.time() - max_age_s))
        rows = self._rows.all(f"SELECT {_COLUMNS} FROM actions WHERE owner = ? AND status = 'pending'"
                              " ORDER BY id", (self._owner,))
        return [_action(r) for r in rows]

    def expire_pending(self) -> None:
        self._rows.run("UPDATE actions SET status = 'expired', resolved_at = ? WHERE owner = ?"
                       " AND status = 'pending'", (time.time(), self._owner))

    def outbound_since(self, since: float) -> int:
        """Outbound actions actually done since a time (for the rate limits)."""
        row = self._rows.one("SELECT count(*) FROM actions WHERE owner = ? AND outbound = 1"
                             " AND status = 'done' AND created_at >= ?", (self._owner, since))
        return int(row[0]) if row else 0

    def recent(self, limit: int = 50) -> list[Action]:
        rows = self._rows.all(f"SELECT {_COLUMNS} FROM actions WHERE owner = ? ORDER BY id DESC"
                              " LIMIT ?", (self._owner, limit))
        return [_action(r) for r in rows]

    def close(self) -> None:
        if self._owns_rows:
            self._rows.close()


def _action(row: Row) -> Action:
    return Action(id=int(row[0]), created_at=float(row[1]), tool=row[2], arguments=json.loads(row[3]),
                  preview=row[4], reasons=tuple(json.loads(row[5])), foreign=json.loads(row[6]),
                  outbound=bool(row[7]), status=row[8], result=row[9])
