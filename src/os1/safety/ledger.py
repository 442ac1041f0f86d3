"""The action ledger: every side effect os1 proposed, ran, or refused, in a small SQLite file.

It is at once the audit log of outbound actions, the queue of actions waiting for the user's
yes (so ``os1 say yes`` in a new process can confirm what the last one proposed), and the
counter behind the outbound rate limits. Rows are tiny; each call is one short transaction.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from os1.files import private_database, private_dir

Status = str  # pending | done | failed | declined | expired | blocked

_SCHEMA = """
CREATE TABLE IF NOT EXISTS actions (
    id INTEGER PRIMARY KEY,
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
    """One user's actions; ``path=None`` keeps them in memory (tests, one-off runs)."""

    def __init__(self, path: Path | None = None) -> None:
        if path is not None:  # what os1 did for the user: private, like the store
            private_dir(path.parent)
            private_database(path)
        self._db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False,
                                   isolation_level=None)
        self._db.execute("PRAGMA busy_timeout = 10000")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def add(self, tool: str, arguments: dict[str, Any], status: Status, *, preview: str = "",
            reasons: tuple[str, ...] = (), foreign: dict[str, str] | None = None,
            outbound: bool = False, result: str = "") -> Action:
        row = (time.time(), tool, json.dumps(arguments, sort_keys=True), preview,
               json.dumps(list(reasons)), json.dumps(foreign or {}), int(outbound), status, result)
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO actions (created_at, tool, arguments, preview, reasons, foreign_values,"
                " outbound, status, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
        found = self.get(int(cur.lastrowid or 0))
        assert found is not None
        return found

    def resolve(self, action_id: int, status: Status, result: str = "") -> None:
        with self._lock:
            self._db.execute("UPDATE actions SET status = ?, result = ?, resolved_at = ? WHERE id = ?",
                             (status, result, time.time(), action_id))

    def get(self, action_id: int) -> Action | None:
        row = self._db.execute("SELECT * FROM actions WHERE id = ?", (action_id,)).fetchone()
        return _action(row) if row else None

    def pending(self, max_age_s: float = 3600.0) -> list[Action]:
        """Actions still waiting for a yes, oldest first; older ones than ``max_age_s`` expire."""
        cutoff = time.time() - max_age_s
        with self._lock:
            self._db.execute("UPDATE actions SET status = 'expired', resolved_at = ? "
                             "WHERE status = 'pending' AND created_at < ?", (time.time(), cutoff))
        rows = self._db.execute("SELECT * FROM actions WHERE status = 'pending' ORDER BY id").fetchall()
        return [_action(r) for r in rows]

    def expire_pending(self) -> None:
        with self._lock:
            self._db.execute("UPDATE actions SET status = 'expired', resolved_at = ? "
                             "WHERE status = 'pending'", (time.time(),))

    def outbound_since(self, since: float) -> int:
        """Outbound actions actually done since a time (for the rate limits)."""
        row = self._db.execute("SELECT count(*) FROM actions WHERE outbound = 1 AND status = 'done'"
                               " AND created_at >= ?", (since,)).fetchone()
        return int(row[0])

    def recent(self, limit: int = 50) -> list[Action]:
        rows = self._db.execute("SELECT * FROM actions ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [_action(r) for r in rows]

    def close(self) -> None:
        self._db.close()


def _action(row: tuple[Any, ...]) -> Action:
    return Action(id=row[0], created_at=row[1], tool=row[2], arguments=json.loads(row[3]),
                  preview=row[4], reasons=tuple(json.loads(row[5])), foreign=json.loads(row[6]),
                  outbound=bool(row[7]), status=row[8], result=row[9])
