"""The local mail index: one SQLite file per user, keyed by (folder, UIDVALIDITY, UID).

Only headers that os1 uses and the visible plain text are kept; a folder whose UIDVALIDITY
changed is dropped and fetched again, as RFC 3501 requires. Words are searchable through FTS5.
Moves made by clean-up are recorded by Message-ID, in batches, for one-step undo.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from os1.files import private_database, private_dir
from os1.mail.parse import Parsed

_SCHEMA = """
CREATE TABLE IF NOT EXISTS folders (name TEXT PRIMARY KEY, uidvalidity INTEGER NOT NULL,
                                    uidnext INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY, folder TEXT NOT NULL, uidvalidity INTEGER NOT NULL, uid INTEGER NOT NULL,
    message_id TEXT NOT NULL, in_reply_to TEXT NOT NULL, thread TEXT NOT NULL,
    from_addr TEXT NOT NULL, from_name TEXT NOT NULL, reply_to TEXT NOT NULL, to_addrs TEXT NOT NULL,
    subject TEXT NOT NULL, date REAL NOT NULL, flags TEXT NOT NULL, text TEXT NOT NULL,
    list_id TEXT NOT NULL, bulk INTEGER NOT NULL, body_hash TEXT NOT NULL, simhash INTEGER NOT NULL,
    UNIQUE (folder, uidvalidity, uid));
CREATE INDEX IF NOT EXISTS messages_thread ON messages(thread);
CREATE INDEX IF NOT EXISTS messages_folder_uid ON messages(folder, uid);
CREATE INDEX IF NOT EXISTS messages_mid ON messages(message_id);
CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5(subject, from_addr, text,
    content='messages', content_rowid='id');
CREATE TRIGGER IF NOT EXISTS messages_ai AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, subject, from_addr, text)
    VALUES (new.id, new.subject, new.from_addr, new.text); END;
CREATE TRIGGER IF NOT EXISTS messages_ad AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, subject, from_addr, text)
    VALUES ('delete', old.id, old.subject, old.from_addr, old.text); END;
CREATE TABLE IF NOT EXISTS moves (id INTEGER PRIMARY KEY, batch INTEGER NOT NULL,
    message_id TEXT NOT NULL, from_folder TEXT NOT NULL, to_folder TEXT NOT NULL, at REAL NOT NULL,
    undone INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS proposals (id INTEGER PRIMARY KEY, created_at REAL NOT NULL,
    items TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'open');
"""
_COLUMNS = ("id, folder, uid, message_id, in_reply_to, thread, from_addr, from_name, reply_to, "
            "to_addrs, subject, date, flags, text, list_id, bulk, body_hash, simhash")


@dataclass(frozen=True)
class Mail:
    """One indexed message."""

    id: int
    folder: str
    uid: int
    message_id: str
    in_reply_to: str
    thread: str
    from_addr: str
    from_name: str
    reply_to: str
    to: tuple[str, ...]
    subject: str
    date: float
    flags: tuple[str, ...]
    text: str
    list_id: str
    bulk: bool
    body_hash: str
    simhash: int

    @property
    def seen(self) -> bool:
        return "\\Seen" in self.flags

    @property
    def sender(self) -> str:
        return f"{self.from_name} <{self.from_addr}>" if self.from_name else self.from_addr


@dataclass(frozen=True)
class Move:
    message_id: str
    from_folder: str
    to_folder: str


def _mail(row: tuple[Any, ...]) -> Mail:
    values = list(row)
    values[9] = tuple(json.loads(values[9]))
    values[12] = tuple(json.loads(values[12]))
    values[15] = bool(values[15])
    return Mail(*values)


class MailIndex:
    def __init__(self, path: Path | None = None) -> None:
        if path is not None:  # the user's mail: private, like the store
            private_dir(path.parent)
            private_database(path)
        self.db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False)
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA busy_timeout = 10000")
        self.db.executescript(_SCHEMA)

    def folder(self, name: str) -> tuple[int, int] | None:
        row = self.db.execute("SELECT uidvalidity, uidnext FROM folders WHERE name = ?", (name,)).fetchone()
        return (int(row[0]), int(row[1])) if row else None

    def set_folder(self, name: str, uidvalidity: int, uidnext: int) -> None:
        with self.db:
            old = self.folder(name)
            if old is not None and old[0] != uidvalidity:  # the server renumbered: start over
                self.db.execute("DELETE FROM messages WHERE folder = ?", (name,))
            self.db.execute("INSERT OR REPLACE INTO folders VALUES (?, ?, ?)", (name, uidvalidity, uidnext))

    def known_uids(self, folder: str) -> list[int]:
        rows = self.db.execute("SELECT uid FROM messages WHERE folder = ? ORDER BY uid", (folder,))
        return [int(r[0]) for r in rows]

    def add(self, folder: str, uidvalidity: int,
            items: Iterable[tuple[int, tuple[str, ...], Parsed, int]]) -> int:
        rows = [(folder, uidvalidity, uid, p.message_id, p.in_reply_to, p.thread_key, p.from_addr,
                 p.from_name, p.reply_to, json.dumps(list(p.to + p.cc)), p.subject, p.date,
                 json.dumps(list(flags)), p.text, p.list_id, int(p.bulk), p.body_hash, simhash)
                for uid, flags, p, simhash in items]
        with self.db:
            self.db.executemany(
                "INSERT OR IGNORE INTO messages (folder, uidvalidity, uid, message_id, in_reply_to, thread,"
                " from_addr, from_name, reply_to, to_addrs, subject, date, flags, text, list_id, bulk,"
                " body_hash, simhash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        return len(rows)

    def remove(self, folder: str, uids: Sequence[int]) -> None:
        with self.db:
            self.db.executemany("DELETE FROM messages WHERE folder = ? AND uid = ?",
                                [(folder, u) for u in uids])

    def set_flags(self, folder: str, flags: dict[int, tuple[str, ...]]) -> int:
        """Store the flags that changed; returns how many messages changed."""
        known = dict(self.db.execute("SELECT uid, flags FROM messages WHERE folder = ?", (folder,)))
        changed = [(json.dumps(list(f)), folder, u) for u, f in flags.items()
                   if u in known and known[u] != json.dumps(list(f))]
        with self.db:
            self.db.executemany("UPDATE messages SET flags = ? WHERE folder = ? AND uid = ?", changed)
        return len(changed)

    def messages(self, folder: str | None = None, limit: int = 50) -> list[Mail]:
        where, args = ("WHERE folder = ?", [folder]) if folder else ("", [])
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM messages {where} ORDER BY date DESC LIMIT ?",
                               [*args, limit])
        return [_mail(r) for r in rows]

    def get(self, mail_id: int) -> Mail | None:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM messages WHERE id = ?", (mail_id,)).fetchone()
        return _mail(row) if row else None

    def thread(self, key: str) -> list[Mail]:
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM messages WHERE thread = ? OR message_id = ? "
                               "ORDER BY date", (key, key))
        return [_mail(r) for r in rows]

    def written_by(self, address: str, limit: int = 3) -> list[Mail]:
        """The newest mails from one address (the user's own: samples of their voice)."""
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM messages WHERE from_addr = ? ORDER BY date DESC "
                               "LIMIT ?", (address.lower(), limit))
        return [_mail(r) for r in rows]

    def search(self, query: str, limit: int = 20) -> list[Mail]:
        words = [w for w in "".join(c if c.isalnum() else " " for c in query).split() if w]
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        rows = self.db.execute(
            f"SELECT {', '.join('m.' + c.strip() for c in _COLUMNS.split(','))} FROM messages_fts "
            "JOIN messages m ON m.id = messages_fts.rowid WHERE messages_fts MATCH ? "
            "ORDER BY bm25(messages_fts) LIMIT ?", (match, limit))
        return [_mail(r) for r in rows]

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM messages").fetchone()[0])

    def record_moves(self, moves: Sequence[Move]) -> int:
        with self.db:
            batch = int(self.db.execute("SELECT coalesce(max(batch), 0) + 1 FROM moves").fetchone()[0])
            self.db.executemany(
                "INSERT INTO moves (batch, message_id, from_folder, to_folder, at) VALUES (?, ?, ?, ?, ?)",
                [(batch, m.message_id, m.from_folder, m.to_folder, time.time()) for m in moves])
        return batch

    def last_batch(self) -> tuple[int, list[Move]] | None:
        row = self.db.execute("SELECT max(batch) FROM moves WHERE undone = 0").fetchone()
        if row[0] is None:
            return None
        rows = self.db.execute("SELECT message_id, from_folder, to_folder FROM moves WHERE batch = ?",
                               (row[0],))
        return int(row[0]), [Move(*r) for r in rows]

    def mark_undone(self, batch: int) -> None:
        with self.db:
            self.db.execute("UPDATE moves SET undone = 1 WHERE batch = ?", (batch,))

    def save_proposal(self, items: list[dict[str, Any]]) -> int:
        with self.db:
            cur = self.db.execute("INSERT INTO proposals (created_at, items) VALUES (?, ?)",
                                  (time.time(), json.dumps(items)))
        return int(cur.lastrowid or 0)

    def proposal(self, proposal_id: int) -> list[dict[str, Any]] | None:
        row = self.db.execute("SELECT items FROM proposals WHERE id = ? AND status = 'open'",
                              (proposal_id,)).fetchone()
        return list(json.loads(row[0])) if row else None

    def close_proposal(self, proposal_id: int) -> None:
        with self.db:
            self.db.execute("UPDATE proposals SET status = 'applied' WHERE id = ?", (proposal_id,))

    def close(self) -> None:
        self.db.close()
