"""Moments in the SQLite store (mixed into ``SQLiteMemory``): one transaction per moment."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING, cast

from os1.memory.base import Vectors
from os1.memory.moments import Moment, MomentDraft, doomed_files, dump, load, music_dir

if TYPE_CHECKING:
    from os1.memory.sqlite import SQLiteMemory


class SQLiteMoments:
    """``add_moment``, ``moment``, ``moments`` and ``image`` for ``SQLiteMemory``."""

    @property
    def files_dir(self) -> Path:
        """Where this user's composed pieces live: the ``music`` folder beside the store."""
        return music_dir(cast("SQLiteMemory", self).path.parent)

    def _moment_files(self, db: sqlite3.Connection, memory_id: int) -> set[Path]:
        """Inside the forgetting transaction: the files that go with moment ``memory_id``."""
        row = db.execute("SELECT data FROM moments WHERE memory_id = ?", (memory_id,)).fetchone()
        if row is None:
            return set()
        others = (load(d) for (d,) in db.execute(
            "SELECT data FROM moments WHERE memory_id != ? AND kind = 'piece'", (memory_id,)))
        return doomed_files(load(row[0]), others, self.files_dir)

    async def add_moment(self, draft: MomentDraft) -> tuple[Moment, bool]:
        """Store a moment with its images and vector, or add the images to the moment with the
        same key; True when the moment is new. All or nothing."""
        store = cast("SQLiteMemory", self)
        vector = (await store.embed([draft.text]))[0]
        return await store._run(_add, store, draft, vector)

    async def moment(self, memory_id: int) -> Moment | None:
        store = cast("SQLiteMemory", self)
        return await store._run(lambda: _get(store.db, memory_id))

    async def moments(self, kind: str | None = None, limit: int = 50, *,
                      key: str | None = None) -> list[Moment]:
        """Moments newest first, of one kind or all (or the one with ``key``)."""
        store = cast("SQLiteMemory", self)

        def go() -> list[Moment]:
            rows = store.db.execute(
                "SELECT memory_id FROM moments WHERE (? IS NULL OR kind = ?) AND (? IS NULL OR key = ?)"
                " ORDER BY memory_id DESC LIMIT ?", (kind, kind, key, key, limit)).fetchall()
            return [m for (i,) in rows if (m := _get(store.db, i)) is not None]

        return await store._run(go)

    async def image(self, digest: str) -> tuple[str, bytes] | None:
        """An image's MIME type and bytes, by content hash."""
        store = cast("SQLiteMemory", self)
        row = await store._run(lambda: store.db.execute(
            "SELECT mime, data FROM images WHERE hash = ?", (digest,)).fetchone())
        return (str(row[0]), bytes(row[1])) if row else None


def _add(store: SQLiteMemory, draft: MomentDraft, vector: Vectors) -> tuple[Moment, bool]:
    with store._write() as db:
        known = db.execute("SELECT memory_id FROM moments WHERE key = ?", (draft.key,)).fetchone()
        memory_id = int(known[0]) if known else _insert(store, db, draft, vector)
        now = time.time()
        for image in draft.images:
            db.execute("INSERT OR IGNORE INTO images (hash, mime, data, created_at) VALUES (?, ?, ?, ?)",
                       (image.hash, image.mime, image.data, now))
            db.execute("INSERT OR IGNORE INTO moment_images (memory_id, hash, seen) VALUES (?, ?, ?)",
                       (memory_id, image.hash, dump(image.seen)))
    moment = _get(store.db, memory_id)
    assert moment is not None
    return moment, known is None


def _insert(store: SQLiteMemory, db: sqlite3.Connection, draft: MomentDraft, vector: Vectors) -> int:
    cur = db.execute("INSERT INTO memories (kind, text, created_at, provenance) VALUES ('fact', ?, ?, ?)",
                     (draft.text, draft.created_at or time.time(), draft.provenance))
    memory_id = int(cur.lastrowid or 0)
    store._put_vector(db, memory_id, vector)
    db.execute("INSERT INTO moments (memory_id, kind, key, data) VALUES (?, ?, ?, ?)",
               (memory_id, draft.kind, draft.key, dump(draft.data)))
    return memory_id


def _get(db: sqlite3.Connection, memory_id: int) -> Moment | None:
    from os1.memory.sqlite import _COLUMNS, _item

    row = db.execute("SELECT kind, key, data FROM moments WHERE memory_id = ?", (memory_id,)).fetchone()
    item = db.execute(f"SELECT {_COLUMNS} FROM memories WHERE id = ?", (memory_id,)).fetchone()
    if row is None or item is None:
        return None
    images = db.execute("SELECT hash, seen FROM moment_images WHERE memory_id = ? ORDER BY rowid",
                        (memory_id,)).fetchall()
    return Moment(_item(item), row[0], row[1], load(row[2]), tuple(h for h, _ in images),
                  tuple(load(seen) for _, seen in images))
