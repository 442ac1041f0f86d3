"""Every store call initiative/ makes: plans and blocked topics in a small SQLite file beside the
user's memory (``users/<user>/initiative.sqlite3``, private like the store)."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from os1.files import private_database, private_dir
from os1.initiative.plans import Kind, Plan, Status

_SCHEMA = """
CREATE TABLE IF NOT EXISTS plans (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL,
    reason TEXT NOT NULL,
    source_id INTEGER,
    words TEXT NOT NULL,
    event_at REAL NOT NULL,
    due_at REAL NOT NULL,
    status TEXT NOT NULL DEFAULT 'planned',
    delivered_at REAL,
    kind TEXT NOT NULL DEFAULT 'follow_up'
);
CREATE INDEX IF NOT EXISTS plans_due ON plans(status, due_at);
CREATE TABLE IF NOT EXISTS blocked (id INTEGER PRIMARY KEY, words TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def plans_path(user_dir: Path) -> Path:
    return user_dir / "initiative.sqlite3"


def earliest_due(path: Path) -> float | None:
    """When the earliest planned proposal in the book at ``path`` is due (a timestamp), read
    without writing; None when there is no book or nothing planned."""
    if not path.exists():
        return None
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT min(due_at) FROM plans WHERE status = 'planned'").fetchone()
    except sqlite3.Error:
        return None
    finally:
        db.close()
    return float(row[0]) if row and row[0] is not None else None


class PlanBook:
    """One user's plans; ``path=None`` keeps them in memory (tests, the benchmark)."""

    def __init__(self, path: Path | None, zone: tzinfo) -> None:
        if path is not None:
            private_dir(path.parent)
            private_database(path)
        self.zone = zone
        self._db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False,
                                   isolation_level=None)
        self._db.execute("PRAGMA busy_timeout = 10000")
        self._db.executescript(_SCHEMA)
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(plans)")}
        if "kind" not in columns:  # a book from before the morning note and check-ins
            self._db.execute("ALTER TABLE plans ADD COLUMN kind TEXT NOT NULL DEFAULT 'follow_up'")
        self._lock = threading.Lock()

    def add(self, text: str, reason: str, source_id: int | None, words: frozenset[str],
            event_at: datetime, due_at: datetime, kind: Kind = "follow_up") -> Plan:
        row = (text, reason, source_id, json.dumps(sorted(words)), event_at.timestamp(), due_at.timestamp(),
               kind)
        with self._lock:
            cur = self._db.execute("INSERT INTO plans (text, reason, source_id, words, event_at, due_at,"
                                   " kind) VALUES (?, ?, ?, ?, ?, ?, ?)", row)
        found = self.get(int(cur.lastrowid or 0))
        assert found is not None
        return found

    def get(self, plan_id: int) -> Plan | None:
        row = self._db.execute("SELECT * FROM plans WHERE id = ?", (plan_id,)).fetchone()
        return self._plan(row) if row else None

    def plans(self, statuses: tuple[Status, ...] = ("planned",)) -> list[Plan]:
        marks = ",".join("?" * len(statuses))
        rows = self._db.execute(f"SELECT * FROM plans WHERE status IN ({marks}) ORDER BY due_at, id",
                                statuses).fetchall()
        return [self._plan(r) for r in rows]

    def every(self, limit: int = 100) -> list[Plan]:
        rows = self._db.execute("SELECT * FROM plans ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [self._plan(r) for r in rows]

    def set_status(self, plan_id: int, status: Status, at: datetime | None = None) -> bool:
        with self._lock:
            cur = self._db.execute("UPDATE plans SET status = ?, delivered_at = ? WHERE id = ?",
                                   (status, at.timestamp() if at else None, plan_id))
        return cur.rowcount > 0

    def claim(self, plan_id: int, at: datetime) -> bool:
        """Mark a planned proposal delivered; False when another process already did, so each
        is handed over once even when two workers look at the same book."""
        with self._lock:
            cur = self._db.execute("UPDATE plans SET status = 'delivered', delivered_at = ?"
                                   " WHERE id = ? AND status = 'planned'", (at.timestamp(), plan_id))
        return cur.rowcount > 0

    def move(self, plan_id: int, event_at: datetime, due_at: datetime, reason: str) -> None:
        with self._lock:
            self._db.execute("UPDATE plans SET event_at = ?, due_at = ?, reason = ? WHERE id = ?",
                             (event_at.timestamp(), due_at.timestamp(), reason, plan_id))

    def delivered_since(self, since: datetime) -> int:
        row = self._db.execute("SELECT count(*) FROM plans WHERE status = 'delivered' AND delivered_at >= ?",
                               (since.timestamp(),)).fetchone()
        return int(row[0])

    def block(self, words: frozenset[str], at: datetime) -> None:
        with self._lock:
            self._db.execute("INSERT INTO blocked (words, at) VALUES (?, ?)",
                             (json.dumps(sorted(words)), at.timestamp()))

    def blocked(self) -> list[frozenset[str]]:
        return [frozenset(json.loads(r[0])) for r in self._db.execute("SELECT words FROM blocked")]

    def state(self, key: str, default: str = "") -> str:
        row = self._db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else default

    def set_state(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE"
                             " SET value = excluded.value", (key, value))

    def close(self) -> None:
        self._db.close()

    def _plan(self, row: tuple[Any, ...]) -> Plan:
        def when(stamp: float) -> datetime:
            return datetime.fromtimestamp(stamp, self.zone)
        return Plan(id=row[0], text=row[1], reason=row[2], source_id=row[3],
                    words=frozenset(json.loads(row[4])), event_at=when(row[5]), due_at=when(row[6]),
                    status=row[7], delivered_at=when(row[8]) if row[8] is not None else None,
                    kind=row[9])
