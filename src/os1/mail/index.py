"""The local mail index: one SQLite file per user, keyed by (folder, UIDVALIDITY, UID).

Only headers that os1 uses and the visible plain text are kept; a folder whose UIDVALIDITY
changed is dropped and fetched again, as RFC 3501 requires. Words are searchable through FTS5.
Moves made by clean-up are recorded by Message-ID, in batches, for one-step undo.

A message keeps its id for good: when it leaves the index (moved away, by os1 or another mail
program) its id is retired with its Message-ID and body, and the same message coming back (an
undo) gets that id again; new messages get ids never used before.
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
from os1.mail.parse import Attachment, Parsed

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
CREATE TABLE IF NOT EXISTS moves (id INTEGER PRIMARY KEY, batch INTEGER NOT NULL,
    message_id TEXT NOT NULL, from_folder TEXT NOT NULL, to_folder TEXT NOT NULL, at REAL NOT NULL,
    undone INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS retired (id INTEGER PRIMARY KEY, message_id TEXT NOT NULL,
    body_hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS retired_mid ON retired(message_id, body_hash);
CREATE TRIGGER IF NOT EXISTS messages_retire AFTER DELETE ON messages BEGIN
    INSERT OR REPLACE INTO retired VALUES (old.id, old.message_id, old.body_hash); END;
CREATE TABLE IF NOT EXISTS proposals (id INTEGER PRIMARY KEY, created_at REAL NOT NULL,
    items TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'open');
"""
# words of the subject, the sender's name and address, and the text (an index made before the
# sender's name was searchable is rebuilt once)
_FTS = """
CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5(subject, from_name, from_addr, text,
    content='messages', content_rowid='id');
CREATE TRIGGER IF NOT EXISTS messages_ai AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, subject, from_name, from_addr, text)
    VALUES (new.id, new.subject, new.from_name, new.from_addr, new.text); END;
CREATE TRIGGER IF NOT EXISTS messages_ad AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, subject, from_name, from_addr, text)
    VALUES ('delete', old.id, old.subject, old.from_name, old.from_addr, old.text); END;
"""
_COLUMNS = ("id, folder, uid, message_id, in_reply_to, thread, from_addr, from_name, reply_to, "
            "to_addrs, subject, date, flags, text, list_id, bulk, body_hash, simhash, attachments, "
            "invite, problem")
# columns added since the first index: (name, definition)
_ADDED = (("attachments", "TEXT NOT NULL DEFAULT '[]'"), ("invite", "TEXT NOT NULL DEFAULT ''"),
          ("problem", "TEXT NOT NULL DEFAULT ''"))


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
    attachments: tuple[Attachment, ...] = ()
    invite: str = ""  # an invitation's iCalendar text
    problem: str = ""  # why no body could be read

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
    values[18] = tuple(Attachment(*a) for a in json.loads(values[18]))
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
        have = {r[1] for r in self.db.execute("PRAGMA table_info(messages)")}
        for name, definition in _ADDED:
            if name not in have:
                self.db.execute(f"ALTER TABLE messages ADD COLUMN {name} {definition}")
        self._searchable()

    def _searchable(self) -> None:
        columns = [r[1] for r in self.db.execute("PRAGMA table_info(messages_fts)")]
        if columns and "from_name" not in columns:
            self.db.executescript("DROP TRIGGER IF EXISTS messages_ai; "
                                  "DROP TRIGGER IF EXISTS messages_ad; DROP TABLE messages_fts;")
        self.db.executescript(_FTS)
        if columns and "from_name" not in columns:
            with self.db:
                self.db.execute("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')")

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
                 json.dumps(list(flags)), p.text, p.list_id, int(p.bulk), p.body_hash, simhash,
                 json.dumps([[a.name, a.type, a.size] for a in p.attachments]), p.invite, p.problem)
                for uid, flags, p, simhash in items]
        with self.db:
            for row in rows:
                self._insert(row)
        return len(rows)

    def _insert(self, row: tuple[Any, ...]) -> None:
        """One message under its old id if it was here before, else under a fresh one."""
        if self.db.execute("SELECT 1 FROM messages WHERE folder = ? AND uidvalidity = ? AND uid = ?",
                           row[:3]).fetchone():
            return
        back = self.db.execute("SELECT id FROM retired WHERE message_id = ? AND body_hash = ? "
                               "ORDER BY id LIMIT 1", (row[3], row[16])).fetchone()
        if back:
            self.db.execute("DELETE FROM retired WHERE id = ?", back)
            mail_id = int(back[0])
        else:
            mail_id = int(self.db.execute(
                "SELECT max(coalesce((SELECT max(id) FROM messages), 0),"
                " coalesce((SELECT max(id) FROM retired), 0)) + 1").fetchone()[0])
        self.db.execute(
            "INSERT INTO messages (id, folder, uidvalidity, uid, message_id, in_reply_to, thread,"
            " from_addr, from_name, reply_to, to_addrs, subject, date, flags, text, list_id, bulk,"
            " body_hash, simhash, attachments, invite, problem)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (mail_id, *row))

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
        """Messages by address (a query with @: sender, recipients or Reply-To holding it), else
        by words, every word in the subject, the sender's name or address, or the text."""
        if "@" in query:
            return self._by_address(query.strip().lower(), limit)
        words = [w for w in "".join(c if c.isalnum() else " " for c in query).split() if w]
        if not words:
            return []
        match = " AND ".join(f'"{w}"' for w in words)
        rows = self.db.execute(
            f"SELECT {', '.join('m.' + c.strip() for c in _COLUMNS.split(','))} FROM messages_fts "
            "JOIN messages m ON m.id = messages_fts.rowid WHERE messages_fts MATCH ? "
            "ORDER BY bm25(messages_fts) LIMIT ?", (match, limit))
        return [_mail(r) for r in rows]

    def _by_address(self, address: str, limit: int) -> list[Mail]:
        pattern = "%" + address.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM messages WHERE from_addr LIKE ?1 ESCAPE '\\' OR "
            "to_addrs LIKE ?1 ESCAPE '\\' OR reply_to LIKE ?1 ESCAPE '\\' "
            "ORDER BY from_addr LIKE ?1 ESCAPE '\\' DESC, date DESC LIMIT ?2", (pattern, limit))
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
