"""The letter store: one SQLite file per user beside their memory (``letters/letters.sqlite3``)
holding each letter's brief, every version with its grounding, the files made from it, and the
letters imported to learn the user's voice. Forgetting a letter deletes its rows and its files,
then rewrites the file so the text is gone from disk."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from os1.errors import InputError, MemoryStoreError
from os1.files import private_database, private_dir
from os1.letters.brief import Brief
from os1.letters.grounding import Grounding

T = TypeVar("T")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS letters (
  id INTEGER PRIMARY KEY, brief TEXT NOT NULL, recipient TEXT NOT NULL, client TEXT,
  occasion TEXT NOT NULL, private INTEGER NOT NULL, favourite INTEGER NOT NULL DEFAULT 0,
  created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS versions (
  id INTEGER PRIMARY KEY, letter_id INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
  n INTEGER NOT NULL, text TEXT NOT NULL, grounding TEXT NOT NULL, note TEXT NOT NULL,
  created_at REAL NOT NULL, UNIQUE (letter_id, n));
CREATE TABLE IF NOT EXISTS files (
  letter_id INTEGER NOT NULL REFERENCES letters(id) ON DELETE CASCADE, path TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS samples (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, digest TEXT NOT NULL UNIQUE, text TEXT NOT NULL,
  created_at REAL NOT NULL);
"""


@dataclass(frozen=True)
class Version:
    n: int
    text: str
    grounding: Grounding
    note: str
    created_at: float


@dataclass(frozen=True)
class Letter:
    id: int
    brief: Brief
    private: bool
    favourite: bool
    created_at: float
    versions: tuple[Version, ...]

    @property
    def text(self) -> str:
        return self.versions[-1].text

    @property
    def latest(self) -> Version:
        return self.versions[-1]

    @property
    def when(self) -> str:
        return time.strftime("%Y-%m-%d", time.localtime(self.created_at))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "brief": self.brief.to_dict(), "private": self.private,
                "favourite": self.favourite, "when": self.when, "text": self.text,
                "grounding": self.latest.grounding.to_dict(),
                "versions": [{"n": v.n, "note": v.note, "text": v.text} for v in self.versions]}


def letters_dir(user_dir: Path) -> Path:
    return user_dir / "letters"


class LetterStore:
    """Letters, their versions and files, and the voice samples, for one user."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._db: sqlite3.Connection | None = None
        self._lock = asyncio.Lock()

    def _open(self) -> sqlite3.Connection:
        if self._db is None:
            private_dir(self.folder)
            try:
                db = sqlite3.connect(private_database(self.folder / "letters.sqlite3"),
                                     check_same_thread=False, isolation_level=None)
                db.executescript("PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;"
                                 "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=10000;" + _SCHEMA)
            except sqlite3.Error as exc:
                raise MemoryStoreError(f"cannot open the letter store in {self.folder}: {exc}") from None
            self._db = db
        return self._db

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        async with self._lock:
            return await asyncio.to_thread(lambda: fn(self._open()))

    async def close(self) -> None:
        async with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    async def keep(self, brief: Brief, text: str, grounding: Grounding, *, private: bool,
                   note: str = "drafted") -> Letter:
        """A new letter with its first version, in one transaction."""
        def insert_letter(db: sqlite3.Connection) -> int:
            with db:
                db.execute("BEGIN IMMEDIATE")
                cur = db.execute("INSERT INTO letters (brief, recipient, client, occasion, private,"
                                 " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                                 (json.dumps(brief.to_dict()), brief.to, brief.client, brief.occasion,
                                  int(private), time.time()))
                letter_id = int(cur.lastrowid or 0)
                self._add_version(db, letter_id, 1, text, grounding, note)
            return letter_id

        return await self._must(await self._run(insert_letter))

    @staticmethod
    def _add_version(db: sqlite3.Connection, letter_id: int, n: int, text: str, grounding: Grounding,
                     note: str) -> None:
        db.execute("INSERT INTO versions (letter_id, n, text, grounding, note, created_at)"
                   " VALUES (?, ?, ?, ?, ?, ?)",
                   (letter_id, n, text, json.dumps(grounding.to_dict()), note, time.time()))

    async def revise(self, letter_id: int, text: str, grounding: Grounding, note: str) -> Letter:
        """A new version of a letter; every earlier version stays."""
        def add_version(db: sqlite3.Connection) -> None:
            with db:
                db.execute("BEGIN IMMEDIATE")
                row = db.execute("SELECT max(n) FROM versions WHERE letter_id = ?", (letter_id,)).fetchone()
                if row[0] is None:
                    raise InputError(f"no letter {letter_id} (see `os1 letters list`)")
                self._add_version(db, letter_id, int(row[0]) + 1, text, grounding, note)

        await self._run(add_version)
        return await self._must(letter_id)

    async def get(self, letter_id: int) -> Letter | None:
        def letter_row(db: sqlite3.Connection) -> Letter | None:
            row = db.execute("SELECT id, brief, private, favourite, created_at FROM letters WHERE id = ?",
                             (letter_id,)).fetchone()
            return None if row is None else self._letter(db, row)

        return await self._run(letter_row)

    async def _must(self, letter_id: int) -> Letter:
        letter = await self.get(letter_id)
        if letter is None:
            raise InputError(f"no letter {letter_id} (see `os1 letters list`)")
        return letter

    @staticmethod
    def _letter(db: sqlite3.Connection, row: tuple[Any, ...]) -> Letter:
        versions = tuple(Version(n, text, Grounding.from_dict(json.loads(g)), note, at)
                         for n, text, g, note, at in db.execute(
                             "SELECT n, text, grounding, note, created_at FROM versions"
                             " WHERE letter_id = ? ORDER BY n", (row[0],)))
        return Letter(row[0], Brief.from_dict(json.loads(row[1])), bool(row[2]), bool(row[3]), row[4],
                      versions)

    async def find(self, *, query: str | None = None, client: str | None = None,
                   limit: int = 1000) -> list[Letter]:
        """Letters, newest first; ``query`` keeps those whose brief or text has every word."""
        def all_letters(db: sqlite3.Connection) -> list[Letter]:
            rows = db.execute("SELECT id, brief, private, favourite, created_at FROM letters"
                              " ORDER BY created_at DESC, id DESC").fetchall()
            letters = [self._letter(db, r) for r in rows]
            if client is not None:
                letters = [x for x in letters if (x.brief.client or "").lower() == client.lower()]
            if query:
                words = query.lower().split()
                letters = [x for x in letters
                           if all(w in (x.text + json.dumps(x.brief.to_dict())).lower() for w in words)]
            return letters[:limit]

        return await self._run(all_letters)

    async def mark(self, letter_id: int, *, favourite: bool | None = None,
                   private: bool | None = None) -> Letter:
        def set_marks(db: sqlite3.Connection) -> None:
            if favourite is not None:
                db.execute("UPDATE letters SET favourite = ? WHERE id = ?", (int(favourite), letter_id))
            if private is not None:
                db.execute("UPDATE letters SET private = ? WHERE id = ?", (int(private), letter_id))

        await self._run(set_marks)
        return await self._must(letter_id)

    async def add_file(self, letter_id: int, path: Path) -> None:
        await self._run(lambda db: db.execute("INSERT INTO files VALUES (?, ?)", (letter_id, str(path))))

    async def forget(self, letter_id: int) -> bool:
        """Delete a letter, its versions and its files, then rewrite the store without them."""
        def delete_letter(db: sqlite3.Connection) -> list[str] | None:
            with db:
                db.execute("BEGIN IMMEDIATE")
                paths = [p for (p,) in db.execute("SELECT path FROM files WHERE letter_id = ?", (letter_id,))]
                if db.execute("DELETE FROM letters WHERE id = ?", (letter_id,)).rowcount == 0:
                    return None
            db.execute("VACUUM")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return paths

        paths = await self._run(delete_letter)
        await asyncio.to_thread(self._remove, paths or [])
        return paths is not None

    def _remove(self, paths: list[str]) -> None:
        for path in map(Path, paths):
            if path.parent == self.folder / "files":  # only files this store made
                path.unlink(missing_ok=True)

    async def add_samples(self, samples: list[tuple[str, str]]) -> int:
        """Letters the user wrote, for their voice; repeats are skipped. How many were new."""
        def insert_samples(db: sqlite3.Connection) -> int:
            with db:
                db.execute("BEGIN IMMEDIATE")
                before = db.total_changes
                for name, text in samples:
                    db.execute("INSERT OR IGNORE INTO samples (name, digest, text, created_at)"
                               " VALUES (?, ?, ?, ?)",
                               (name, hashlib.sha256(text.encode()).hexdigest(), text, time.time()))
                return db.total_changes - before

        return await self._run(insert_samples)

    async def samples(self) -> list[str]:
        return await self._run(lambda db: [t for (t,) in db.execute("SELECT text FROM samples ORDER BY id")])
