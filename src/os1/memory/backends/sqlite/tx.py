"""One SQLite transaction's primitives (``backends.base.Tx``). Each runs on the store's thread;
the vector index follows every vector written or deleted."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar, cast

import numpy as np

from os1.memory.backends.base import Flag, NewMemory, Scored, Select
from os1.memory.backends.select import COLUMNS, conditions, item, tail
from os1.memory.backends.sqlite.connection import mapped
from os1.memory.backends.sqlite.index import PieceIndex, VectorIndex
from os1.memory.base import MemoryItem, Provenance, Vectors
from os1.memory.moments import ImageDraft
from os1.memory.ranking import Context, fts_query
from os1.memory.summaries import Summary

P = ParamSpec("P")
T = TypeVar("T")

# sessions whose summary is missing or no longer matches their utterances (count or newest id)
STALE = (
    "SELECT m.session_id FROM (SELECT session_id, count(*) AS n, max(id) AS last FROM memories"
    " WHERE kind = 'utterance' AND session_id IS NOT NULL AND (? IS NULL OR session_id = ?)"
    " GROUP BY session_id) m LEFT JOIN summaries s ON s.session_id = m.session_id"
    " WHERE s.session_id IS NULL OR s.turns != m.n OR s.last_id != m.last"
    " UNION SELECT s.session_id FROM summaries s WHERE (? IS NULL OR s.session_id = ?)"
    " AND NOT EXISTS (SELECT 1 FROM memories u WHERE u.session_id = s.session_id"
    " AND u.kind = 'utterance')"
)


class Host(Protocol):
    """What a transaction needs of its backend."""

    path: Path
    model_id: str
    index: VectorIndex
    pieces: PieceIndex

    @property
    def db(self) -> sqlite3.Connection: ...

    async def call(self, fn: Callable[..., T], *args: Any) -> T: ...

    def sync_index(self) -> None: ...


Primitive = Callable[Concatenate["SQLiteTx", P], Coroutine[Any, Any, T]]  # an async primitive


def on_thread(fn: Callable[Concatenate[SQLiteTx, P], T]) -> Primitive[P, T]:
    """A primitive written as plain SQLite calls, run on the store's thread; primitives asked
    for together (``asyncio.gather``) share one trip there."""

    async def run(self: SQLiteTx, /, *args: P.args, **kwargs: P.kwargs) -> T:
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.asked.append((lambda: fn(self, *args, **kwargs), answer))
        if len(self.asked) == 1:
            await asyncio.sleep(0)  # the others of a gather ask meanwhile
            await self.send()
        return cast(T, await answer)

    return run


def queued(fn: Callable[Concatenate[SQLiteTx, P], None]) -> Primitive[P, None]:
    """A write that returns nothing, sent with the transaction's next call (or its commit):
    a turn's writes then cost one trip to the store's thread, not one each."""

    async def later(self: SQLiteTx, /, *args: P.args, **kwargs: P.kwargs) -> None:
        self.queue.append(lambda: fn(self, *args, **kwargs))

    return later


def _blob(vector: Vectors) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


class SQLiteTx:
    """Primitives inside one transaction of a ``SQLiteBackend``."""

    def __init__(self, host: Host, write: bool) -> None:
        self.host = host
        self.write = write
        self.begun = False  # a write's BEGIN IMMEDIATE, sent with its first statement
        self.synced = False
        self._dropped: set[int] = set()  # memories deleted: out of the index once committed
        self.queue: list[Callable[[], None]] = []  # writes waiting for the next call
        self.asked: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = []  # the next trip's calls

    async def send(self) -> None:
        """Run the calls asked for on the store's thread, in order, each answer to its asker."""
        asked, self.asked = self.asked, []

        def run() -> list[tuple[bool, Any]]:
            done: list[tuple[bool, Any]] = []
            for call, _ in asked:
                try:
                    with mapped(self.host.path):
                        done.append((True, self.step(call)))
                except Exception as exc:  # handed to the one who asked
                    done.append((False, exc))
            return done

        try:
            answers = await self.host.call(run)
        except BaseException:
            for _, answer in asked:
                answer.cancel()
            raise
        for (_, answer), (ok, value) in zip(asked, answers, strict=True):
            if ok:
                answer.set_result(value)
            else:
                answer.set_exception(value)

    def step(self, fn: Callable[[], T]) -> T:
        if not self.synced:
            self.host.sync_index()  # another process's commits, once per transaction
            self.synced = True
        if self.write and not self.begun:
            self.host.db.execute("BEGIN IMMEDIATE")
            self.begun = True
        while self.queue:
            self.queue.pop(0)()
        return fn()

    def end(self, commit: bool) -> None:
        """Send what is queued and commit, or roll back."""
        if commit:
            self.step(lambda: None)
        if self.begun:
            self.host.db.execute("COMMIT" if commit else "ROLLBACK")

    def committed(self) -> None:
        for gone in self._dropped:
            self.host.index.remove(gone)
            self.host.pieces.remove(gone)

    @property
    def db(self) -> sqlite3.Connection:
        return self.host.db

    # -- rows ------------------------------------------------------------------------------

    @on_thread
    def new_session(self, started_at: float) -> int:
        return int(self.db.execute("INSERT INTO sessions (started_at) VALUES (?)",
                                   (started_at,)).lastrowid or 0)

    @on_thread
    def insert(self, m: NewMemory) -> int:
        cur = self.db.execute(
            "INSERT INTO memories (kind, text, created_at, role, session_id, provenance, status,"
            " source_id, subject, predicate, object, content_hash, embedded, learned, pieced, private)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (m.kind, m.text, m.created_at, m.role, m.session_id, m.provenance, m.status, m.source_id,
             m.subject, m.predicate, m.object, m.content_hash, int(m.embedded), int(m.learned),
             int(m.pieced), int(m.private)))
        return int(cur.lastrowid or 0)

    @on_thread
    def select(self, query: Select) -> list[MemoryItem]:
        where, params = conditions(query, "?", lambda ids: (f"id IN ({','.join('?' * len(ids))})", ids),
                                   "learned = 0")
        order, more = tail(query, "?")
        sql = f"SELECT {COLUMNS} FROM memories" + (" WHERE " + " AND ".join(where) if where else "")
        return [item(r) for r in self.db.execute(sql + order, (*params, *more)).fetchall()]

    @on_thread
    def count_kinds(self) -> dict[str, int]:
        rows = self.db.execute("SELECT kind, count(*) FROM memories GROUP BY kind")
        return {str(k): int(n) for k, n in rows}

    @on_thread
    def pending(self, flag: Flag, limit: int) -> list[tuple[int, str, str | None, bool]]:
        rows = self.db.execute(f"SELECT id, text, role, pieced FROM memories WHERE {flag} = 0"
                               " ORDER BY id LIMIT ?", (limit,)).fetchall()
        return [(int(i), str(t), r, bool(p)) for i, t, r, p in rows]

    @on_thread
    def settle(self, flag: Flag, memory_id: int, text: str | None = None) -> bool:
        return self.db.execute(f"UPDATE memories SET {flag} = 1 WHERE id = ? AND {flag} = 0"
                               " AND (? IS NULL OR text = ?)", (memory_id, text, text)).rowcount > 0

    @on_thread
    def rewrite(self, memory_id: int, text: str, content_hash: str, status: str | None,
                pieced: bool) -> bool:
        self._drop_next_gloss(memory_id)
        return self.db.execute(
            "UPDATE memories SET text = ?, content_hash = CASE kind WHEN 'fact' THEN ? END,"
            " object = NULL, status = COALESCE(?, status), pieced = ? WHERE id = ?",
            (text, content_hash, status, int(pieced), memory_id)).rowcount > 0

    @queued
    def restate(self, memory_id: int, text: str, status: str, provenance: Provenance | None,
                pieced: bool) -> None:
        self.db.execute(
            "UPDATE memories SET text = ?, status = ?, provenance = COALESCE(?, provenance),"
            " embedded = 0, pieced = ? WHERE id = ?", (text, status, provenance, int(pieced), memory_id))

    @on_thread
    def set_private(self, memory_ids: Sequence[int], private: bool) -> int:
        ids = list(memory_ids)
        return self.db.execute(f"UPDATE memories SET private = ? WHERE id IN ({','.join('?' * len(ids))})",
                               (int(private), *ids)).rowcount if ids else 0

    @on_thread
    def delete(self, memory_id: int) -> tuple[bool, int | None]:
        row = self.db.execute("SELECT session_id FROM memories WHERE id = ?", (memory_id,)).fetchone()
        self._dropped |= {memory_id, *(r[0] for r in self.db.execute(
            "SELECT id FROM memories WHERE source_id = ?", (memory_id,)))}
        self._drop_next_gloss(memory_id)
        found = self.db.execute("DELETE FROM memories WHERE id = ?", (memory_id,)).rowcount > 0
        return found, row[0] if row else None

    def _drop_next_gloss(self, memory_id: int) -> None:
        """The gloss of the turn after this one in its session, drawn from this one's words."""
        self.db.execute(
            "UPDATE memories SET gloss = '' WHERE gloss != '' AND id = (SELECT min(n.id) FROM"
            " memories m JOIN memories n ON n.session_id = m.session_id AND n.id > m.id"
            " AND n.kind = 'utterance' WHERE m.id = ?)", (memory_id,))

    @on_thread
    def fact(self, content_hash: str) -> tuple[int, float | None] | None:
        row = self.db.execute("SELECT id, valid_to FROM memories WHERE kind = 'fact' AND"
                              " content_hash = ?", (content_hash,)).fetchone()
        return (int(row[0]), row[1]) if row else None

    @queued
    def supersede(self, subject: str, predicate: str, now: float) -> None:
        self.db.execute("UPDATE memories SET valid_to = ? WHERE kind = 'fact' AND subject = ? AND"
                        " predicate = ? AND valid_to IS NULL", (now, subject, predicate))

    @queued
    def close_fact(self, memory_id: int, now: float) -> None:
        self.db.execute("UPDATE memories SET valid_to = ? WHERE id = ? AND valid_to IS NULL",
                        (now, memory_id))

    @queued
    def revive(self, memory_id: int) -> None:
        self.db.execute("UPDATE memories SET valid_to = NULL WHERE id = ?", (memory_id,))

    async def serialize(self, topic: str) -> None:
        """A write holds the whole file (``BEGIN IMMEDIATE``): nothing more to take."""

    @on_thread
    def profile(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self.db.execute("SELECT key, value FROM profile")}

    @queued
    def set_profile(self, values: Mapping[str, str], now: float) -> None:
        self.db.executemany("INSERT INTO profile VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET"
                            " value = excluded.value, updated_at = excluded.updated_at",
                            [(k, v, now) for k, v in values.items()])

    # -- summaries -------------------------------------------------------------------------

    @on_thread
    def stale_sessions(self, session_id: int | None) -> list[int]:
        return [int(r[0]) for r in self.db.execute(STALE, (session_id,) * 4).fetchall()]

    @queued
    def put_summary(self, s: Summary) -> None:
        self.db.execute("INSERT INTO summaries VALUES (?, ?, ?, ?, ?) ON CONFLICT(session_id) DO UPDATE"
                        " SET text = excluded.text, turns = excluded.turns, last_id = excluded.last_id,"
                        " updated_at = excluded.updated_at",
                        (s.session_id, s.text, s.turns, s.last_id, s.updated_at))

    @queued
    def drop_summary(self, session_id: int) -> None:
        self.db.execute("DELETE FROM summaries WHERE session_id = ?", (session_id,))

    @on_thread
    def summaries(self, limit: int) -> list[Summary]:
        rows = self.db.execute("SELECT session_id, text, turns, last_id, updated_at FROM summaries"
                               " ORDER BY session_id DESC LIMIT ?", (limit,)).fetchall()
        return [Summary(*row) for row in rows]

    # -- vectors ---------------------------------------------------------------------------

    @queued
    def put_vector(self, memory_id: int, vector: Vectors) -> None:
        self.put_vector_now(memory_id, vector)

    def put_vector_now(self, memory_id: int, vector: Vectors) -> None:
        self.db.execute("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                        (memory_id, self.host.model_id, _blob(vector)))
        self.host.index.add(memory_id, vector)

    @queued
    def put_pieces(self, memory_id: int, vectors: Vectors) -> None:
        self.put_pieces_now(memory_id, vectors)

    def put_pieces_now(self, memory_id: int, vectors: Vectors) -> None:
        self.db.executemany("INSERT INTO piece_vectors VALUES (?, ?, ?, ?)",
                            [(memory_id, n, self.host.model_id, _blob(v)) for n, v in enumerate(vectors)])
        self.host.pieces.put(memory_id, vectors)

    @on_thread
    def unembed(self, memory_ids: Sequence[int]) -> None:
        ids = list(memory_ids)
        marks = ",".join("?" * len(ids))
        for table in ("vectors", "piece_vectors"):
            self.db.execute(f"DELETE FROM {table} WHERE memory_id IN ({marks})", ids)
        self.db.execute(f"UPDATE memories SET embedded = 0 WHERE id IN ({marks})", ids)
        self._dropped |= set(ids)  # out of the in-process index once committed

    @queued
    def drop_pieces(self, memory_id: int) -> None:
        self.db.execute("DELETE FROM piece_vectors WHERE memory_id = ?", (memory_id,))
        self.host.pieces.remove(memory_id)

    @queued
    def fill_vectors(self, rows: Sequence[tuple[int, str, Vectors, str]]) -> None:
        for memory_id, text, vector, gloss in rows:
            if self.db.execute("UPDATE memories SET embedded = 1, gloss = ? WHERE id = ? AND embedded = 0"
                               " AND text = ?", (gloss, memory_id, text)).rowcount:
                self.put_vector_now(memory_id, vector)

    @queued
    def fill_pieces(self, rows: Sequence[tuple[int, str, Vectors]]) -> None:
        for memory_id, text, vectors in rows:
            if self.db.execute("UPDATE memories SET pieced = 1 WHERE id = ? AND pieced = 0 AND text = ?",
                               (memory_id, text)).rowcount:
                self.db.execute("DELETE FROM piece_vectors WHERE memory_id = ?", (memory_id,))
                self.put_pieces_now(memory_id, vectors)

    @on_thread
    def vectors(self, ids: Sequence[int]) -> dict[int, Vectors]:
        return self.host.index.vectors(ids)

    @on_thread
    def vector_count(self) -> int:
        return len(self.host.index)

    @on_thread
    def nearest(self, vector: Vectors, k: int, piece_k: int) -> tuple[Scored, Scored]:
        return self.host.index.search(vector, k), self.host.pieces.search(vector, piece_k)

    @on_thread
    def similarities(self, ids: Sequence[int],
                     vector: Vectors) -> tuple[dict[int, float], dict[int, float]]:
        return self.host.index.similarities(ids, vector), self.host.pieces.similarities(ids, vector)

    @on_thread
    def mark_stale(self) -> int:
        model = self.host.model_id
        stale = int(self.db.execute("SELECT count(*) FROM vectors WHERE model != ?", (model,)).fetchone()[0])
        if stale:
            self.db.execute("UPDATE memories SET embedded = 0 WHERE embedded = 1 AND id IN"
                            " (SELECT memory_id FROM vectors WHERE model != ?)", (model,))
        if self.db.execute("SELECT 1 FROM piece_vectors WHERE model != ? LIMIT 1", (model,)).fetchone():
            self.db.execute("UPDATE memories SET pieced = 0 WHERE pieced = 1 AND id IN"
                            " (SELECT memory_id FROM piece_vectors WHERE model != ?)", (model,))
        return stale

    # -- words -----------------------------------------------------------------------------

    @on_thread
    def term_counts(self, terms: Sequence[str], cap: int) -> dict[str, int]:
        return {term: int(self.db.execute(
            "SELECT count(*) FROM (SELECT rowid FROM memories_fts WHERE memories_fts MATCH ? LIMIT ?)",
            (fts_query([term]), cap)).fetchone()[0]) for term in terms}

    @on_thread
    def word_ranks(self, terms: Sequence[str], limit: int, recent: int | None) -> Scored:
        """BM25 over FTS5, as (id, -bm25)."""
        if recent is None:
            rows = self.db.execute(
                "SELECT rowid, bm25(memories_fts) FROM memories_fts WHERE memories_fts MATCH ?"
                " ORDER BY rank LIMIT ?", (fts_query(list(terms)), limit))
            return [(r[0], -r[1]) for r in rows]
        newest = self.db.execute(
            "SELECT rowid, bm25(memories_fts) FROM memories_fts WHERE memories_fts MATCH ?"
            " ORDER BY rowid DESC LIMIT ?", (fts_query(list(terms)), recent)).fetchall()
        return [(r[0], -r[1]) for r in sorted(newest, key=lambda r: r[1])[:limit]]

    @on_thread
    def neighbours(self, ids: Sequence[int]) -> Context:
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            "SELECT m.id,"
            " (SELECT max(p.id) FROM memories p WHERE p.session_id = m.session_id AND p.id < m.id"
            "  AND p.kind = 'utterance'),"
            " (SELECT min(n.id) FROM memories n WHERE n.session_id = m.session_id AND n.id > m.id"
            "  AND n.kind = 'utterance')"
            f" FROM memories m WHERE m.id IN ({marks}) AND m.kind = 'utterance'"
            " AND m.session_id IS NOT NULL", tuple(ids)).fetchall()
        return Context({r[0]: r[1] for r in rows}, {r[0]: r[2] for r in rows})

    # -- moments ---------------------------------------------------------------------------

    @on_thread
    def moment_of_key(self, key: str) -> int | None:
        row = self.db.execute("SELECT memory_id FROM moments WHERE key = ?", (key,)).fetchone()
        return int(row[0]) if row else None

    @queued
    def insert_moment(self, memory_id: int, kind: str, key: str, data: str) -> None:
        self.db.execute("INSERT INTO moments (memory_id, kind, key, data) VALUES (?, ?, ?, ?)",
                        (memory_id, kind, key, data))

    @queued
    def add_image(self, memory_id: int, image: ImageDraft, seen: str, now: float) -> None:
        self.db.execute("INSERT OR IGNORE INTO images (hash, mime, data, created_at) VALUES (?, ?, ?, ?)",
                        (image.hash, image.mime, image.data, now))
        self.db.execute("INSERT OR IGNORE INTO moment_images (memory_id, hash, seen) VALUES (?, ?, ?)",
                        (memory_id, image.hash, seen))

    @on_thread
    def moment_row(self, memory_id: int) -> tuple[str, str, str] | None:
        row = self.db.execute("SELECT kind, key, data FROM moments WHERE memory_id = ?",
                              (memory_id,)).fetchone()
        return (str(row[0]), str(row[1]), str(row[2])) if row else None

    @on_thread
    def moment_images(self, memory_id: int) -> list[tuple[str, str]]:
        return [(str(h), str(s)) for h, s in self.db.execute(
            "SELECT hash, seen FROM moment_images WHERE memory_id = ? ORDER BY rowid", (memory_id,))]

    @on_thread
    def moment_ids(self, kind: str | None, key: str | None, limit: int) -> list[int]:
        return [int(r[0]) for r in self.db.execute(
            "SELECT memory_id FROM moments WHERE (? IS NULL OR kind = ?) AND (? IS NULL OR key = ?)"
            " ORDER BY memory_id DESC LIMIT ?", (kind, kind, key, key, limit))]

    @on_thread
    def pieces_data(self, except_id: int) -> list[str]:
        return [str(d) for (d,) in self.db.execute(
            "SELECT data FROM moments WHERE memory_id != ? AND kind = 'piece'", (except_id,))]

    @on_thread
    def image(self, digest: str) -> tuple[str, bytes] | None:
        row = self.db.execute("SELECT mime, data FROM images WHERE hash = ?", (digest,)).fetchone()
        return (str(row[0]), bytes(row[1])) if row else None
