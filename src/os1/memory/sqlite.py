"""The embedded memory store: one SQLite file per user (WAL), FTS5 for words, vectors as BLOBs
mirrored in an in-process ``VectorIndex``.

All SQLite work runs on one dedicated thread per store, so the event loop never blocks and the
connection is never shared between threads. Every write is one ``BEGIN IMMEDIATE`` transaction;
a crash loses at most the write in flight. ``secure_delete`` overwrites forgotten content.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import os
import re
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import cache, partial
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import numpy as np

from os1.errors import MemoryStoreError
from os1.files import private_database, private_dir, private_file, tighten_folder
from os1.memory import migrations, missing
from os1.memory.base import Embedder, FactDraft, Hit, Kind, MemoryItem, Provenance, Vectors
from os1.memory.moments import remove_files
from os1.memory.moments_sqlite import SQLiteMoments
from os1.memory.ranking import (
    CANDIDATES,
    MIN_VECTOR_SIMILARITY,
    PIECE_FANOUT,
    UBIQUITOUS,
    UBIQUITY_MIN_STORE,
    Context,
    Unembedded,
    best_similarity,
    content_words,
    fts_query,
    fuse,
    named_speaker,
    nearest,
    sentences,
    speakers,
    strip_words,
    time_window,
    unembedded,
)
from os1.memory.reembed import reporter
from os1.memory.summaries_sqlite import SQLiteSummaries, rebuild
from os1.memory.vectors import PieceIndex, VectorIndex

T = TypeVar("T")
COMMON_TERM = 500  # a word in this many memories says little: rank it only among recent ones
_COLUMNS = ("id, kind, text, created_at, role, session_id, provenance, source_id, subject, "
            "predicate, object, valid_to, status")


def _item(row: Sequence[Any]) -> MemoryItem:
    return MemoryItem(*row)


def fact_hash(text: str) -> str:
    normal = " ".join(re.findall(r"\w+", text.lower()))
    return hashlib.sha256(normal.encode()).hexdigest()


def store_path(home: Path, user: str) -> Path:
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", user) or user.startswith("."):
        raise MemoryStoreError(f"bad user name {user!r}: use letters, digits, '.', '_' or '-'")
    return home / "users" / user / "memory.sqlite3"


OPEN_ATTEMPTS = 6
STORE_THREADS = 8  # threads shared by all open stores (calls are short; SQLite waits on disk)


def _errors(name: str) -> tuple[type[Exception], ...]:
    """One DB-API error class from both drivers: stdlib sqlite3, and SQLCipher's once it is in
    use. Called in ``except`` clauses, so it runs only when an error is raised, and os1's start-up
    never imports SQLCipher unless a key is set."""
    found: list[type[Exception]] = [getattr(sqlite3, name)]
    if (cipher := sys.modules.get("sqlcipher3.dbapi2")) is not None:
        found.append(getattr(cipher, name))
    return tuple(found)


def _connect(path: Path, key: str | None) -> sqlite3.Connection:
    """A connection: plain SQLite, or SQLCipher (AES-256) unlocked with the user's key (its
    connection has the same DB-API surface, so it is typed as the stdlib one)."""
    if key is None:
        return sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        from sqlcipher3 import dbapi2
    except ImportError:
        raise MemoryStoreError("encryption needs SQLCipher: pip install sqlcipher3-binary") from None
    db = dbapi2.connect(str(path), isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA cipher_log_level = NONE")
    db.execute("PRAGMA key = " + "'" + key.replace("'", "''") + "'")
    try:
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except _errors("DatabaseError"):
        db.close()
        raise MemoryStoreError(f"cannot open {path}: wrong encryption key, or not an os1 store") from None
    return cast(sqlite3.Connection, db)


def encrypt_file(path: Path, key: str) -> None:
    """Turn a plain store into one encrypted with ``key`` (no os1 process may be using it)."""
    from sqlcipher3 import dbapi2

    plain = sqlite3.connect(path, isolation_level=None)
    with _mapped(path):
        plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        plain.close()
        target = path.with_name(path.name + ".encrypting")
        target.unlink(missing_ok=True)
        private_file(target)  # 0600 before SQLCipher writes it; it replaces the store
        db = dbapi2.connect(str(path), isolation_level=None)
        db.execute("ATTACH DATABASE ? AS encrypted KEY ?", (str(target), key))
        db.execute("SELECT sqlcipher_export('encrypted')")
        db.execute("DETACH DATABASE encrypted")
        db.close()
    target.replace(path)
    for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)


@contextmanager
def _mapped(path: Path) -> Iterator[None]:
    """SQLite errors become one-line MemoryStoreErrors naming the file and the fix."""
    try:
        yield
    except _errors("OperationalError") as exc:
        text = str(exc)
        if "readonly" in text or "read-only" in text:
            raise MemoryStoreError(
                f"cannot write to {path}: it is read-only; set OS1_HOME to a writable directory"
            ) from exc
        if "locked" in text or "busy" in text:
            raise MemoryStoreError(f"{path} is busy in another os1 process; try again") from exc
        if "unable to open" in text and not os.access(path.parent, os.W_OK):
            raise MemoryStoreError(
                f"cannot write to {path.parent}: it is read-only; set OS1_HOME to a writable directory"
            ) from exc
        if "disk I/O error" in text or "disk is full" in text:  # a full disk, or a file-size limit
            raise MemoryStoreError(f"cannot write to {path}: {text} (is the disk full, or the file over a"
                                   " size limit?); what was stored before is kept") from exc
        raise MemoryStoreError(f"memory store {path}: {text}") from exc
    except _errors("IntegrityError") as exc:
        raise MemoryStoreError(f"memory store {path} refused a write: {exc}") from exc
    except _errors("DatabaseError") as exc:
        raise MemoryStoreError(f"memory store {path} is damaged or not a database, or it is encrypted"
                               f" and no key was given (memory.encryption_key): {exc}") from exc


@cache
def _pool() -> ThreadPoolExecutor:
    """The threads every SQLite store's calls run on."""
    return ThreadPoolExecutor(STORE_THREADS, thread_name_prefix="os1-store")


class SQLiteMemory(SQLiteMoments, SQLiteSummaries):
    """A user's memory in one SQLite file."""

    def __init__(self, path: Path, embedder: Embedder, key: str | None = None) -> None:
        self.path = path
        self._key = key
        self.embedder = embedder
        self._turn = asyncio.Lock()  # one call at a time on this store's connection
        self._embedding = asyncio.Lock()  # one embed_missing at a time: no memory embedded twice
        self._db: sqlite3.Connection | None = None
        self._index = VectorIndex(embedder.dim)
        self._pieces = PieceIndex(embedder.dim)  # sentence vectors of multi-sentence memories
        self._data_version = -1
        self._ubiquity: dict[str, tuple[int, bool]] = {}  # term -> (store size, ubiquitous?)

    # -- lifecycle -------------------------------------------------------------------------

    @classmethod
    async def open(cls, path: Path, embedder: Embedder, key: str | None = None) -> SQLiteMemory:
        """Open (creating if needed) the store at ``path``; with ``key`` it is encrypted at rest
        with SQLCipher, and opening it with any other key fails with a clear error."""
        store = cls(path, embedder, key)
        await store._run(store._open)
        if stale := await store._run(store._mark_stale):
            await store.embed_missing(progress=reporter(stale, embedder.model_id))
        return store

    def _open(self) -> None:
        try:
            private_dir(self.path.parent)
        except OSError as exc:
            raise MemoryStoreError(
                f"cannot create {self.path.parent}: {exc.strerror}; set OS1_HOME to a writable directory"
            ) from None
        try:  # the store 0600 before SQLite makes it; a store of an older version is tightened
            private_database(self.path)
        except OSError as exc:
            raise MemoryStoreError(
                f"cannot create {self.path}: {exc.strerror}; set OS1_HOME to a writable directory"
            ) from None
        tighten_folder(self.files_dir)  # composed pieces an older version wrote
        with _mapped(self.path):
            db = _connect(self.path, self._key)
            self._db = db
            db.execute("PRAGMA busy_timeout = 10000")
            # two processes creating one store at once: switching it to WAL can be refused
            # without waiting, so the set-up is retried briefly
            for attempt in range(OPEN_ATTEMPTS):
                try:
                    db.execute("PRAGMA journal_mode = WAL")
                    db.execute("PRAGMA synchronous = NORMAL")
                    db.execute("PRAGMA foreign_keys = ON")
                    db.execute("PRAGMA secure_delete = ON")
                    migrations.apply(db)
                    break
                except _errors("OperationalError") as exc:
                    if "locked" not in str(exc) or attempt == OPEN_ATTEMPTS - 1:
                        raise
                    time.sleep(0.2 * (attempt + 1))
            self._reload_index()

    def _mark_stale(self) -> int:
        """Mark the memories whose vectors another model made for embedding again; their count
        (with any left from an interrupted re-embedding)."""
        model = self.embedder.model_id
        stale = int(self.db.execute("SELECT count(*) FROM vectors WHERE model != ?",
                                    (model,)).fetchone()[0])
        if stale:
            with self._write() as db:
                db.execute("UPDATE memories SET embedded = 0 WHERE embedded = 1 AND id IN"
                           " (SELECT memory_id FROM vectors WHERE model != ?)", (model,))
        if self.db.execute("SELECT 1 FROM piece_vectors WHERE model != ? LIMIT 1", (model,)).fetchone():
            with self._write() as db:  # their sentence vectors too
                db.execute("UPDATE memories SET pieced = 0 WHERE pieced = 1 AND id IN"
                           " (SELECT memory_id FROM piece_vectors WHERE model != ?)", (model,))
        return stale

    async def close(self) -> None:
        if self._db is not None:
            await self._run(self._db.close)
            self._db = None

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn`` off the event loop, after this store's earlier calls, on a thread shared by
        all stores (a server holds a thousand stores open, not a thousand threads); SQLite
        errors become one-line MemoryStoreErrors."""
        def mapped() -> T:
            with _mapped(self.path):
                return fn(*args)

        async with self._turn:
            call = asyncio.get_running_loop().run_in_executor(_pool(), mapped)
            try:
                return await asyncio.shield(call)
            finally:
                if not call.done():  # cancelled: the call runs to its end before the next starts
                    await asyncio.wait([call])

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise MemoryStoreError("the memory store is closed")
        return self._db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self.db
        with _mapped(self.path):
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def _version(self) -> int:
        return int(self.db.execute("PRAGMA data_version").fetchone()[0])

    def _reload_index(self) -> None:
        """Mirror the vectors table (at open, or after another process changed the store)."""
        self._index.clear()
        rows = self.db.execute(
            "SELECT memory_id, v FROM vectors WHERE model = ?", (self.embedder.model_id,)
        ).fetchall()
        if rows:
            matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32)
            self._index.add_many([r[0] for r in rows], matrix.reshape(len(rows), -1))
        self._pieces.clear()
        rows = self.db.execute("SELECT memory_id, n, v FROM piece_vectors WHERE model = ?",
                               (self.embedder.model_id,)).fetchall()
        if rows:
            matrix = np.frombuffer(b"".join(r[2] for r in rows), dtype=np.float32)
            self._pieces.load([(r[0], r[1]) for r in rows], matrix.reshape(len(rows), -1))
        self._data_version = self._version()

    def _sync_index(self) -> None:
        if self._version() != self._data_version:
            self._reload_index()

    # -- writes ----------------------------------------------------------------------------

    async def embed(self, texts: list[str]) -> Vectors:
        return await asyncio.to_thread(self.embedder.embed, texts)

    async def start_session(self) -> int:
        def go() -> int:
            with self._write() as db:
                cur = db.execute("INSERT INTO sessions (started_at) VALUES (?)", (time.time(),))
            return int(cur.lastrowid or 0)

        return await self._run(go)

    async def embed_turn(self, text: str) -> tuple[Vectors, Vectors | None]:
        """The text's vector and its sentences' from one pass (``missing.embed_turn``): what
        ``add_utterance`` stores as ``vector`` and ``piece_vectors``."""
        return await missing.embed_turn(self.embedder, text)

    async def add_utterance(self, session_id: int | None, role: str, text: str, *,
                            status: str = "complete", vector: Vectors | None = None,
                            piece_vectors: Vectors | None = None, created_at: float | None = None,
                            defer_vector: bool = False, learn: bool = True,
                            provenance: Provenance | None = None) -> MemoryItem:
        """Store one conversation turn with its vector, in one transaction. With
        ``defer_vector`` the text is stored now and ``embed_missing`` adds the vector later, and
        its sentences' vectors unless ``piece_vectors`` (from ``embed_turn``) brings them; the user's
        words are queued for fact extraction unless ``learn`` is False."""
        if vector is None and not defer_vector:
            vector = (await self.embed([text]))[0]
        provenance = provenance or ("user" if role == "user" else "assistant")
        row = ("utterance", text, created_at or time.time(), role, session_id, provenance, status,
               int(vector is not None), int(role != "user" or not learn),
               int(piece_vectors is not None or not sentences(text)))
        return await self._run(self._insert, row, vector, piece_vectors)

    def _insert(self, row: tuple[Any, ...], vector: Vectors | None,
                piece_vectors: Vectors | None) -> MemoryItem:
        with self._write() as db:
            cur = db.execute(
                "INSERT INTO memories (kind, text, created_at, role, session_id, provenance, status,"
                " embedded, learned, pieced) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
            memory_id = int(cur.lastrowid or 0)
            if vector is not None:
                self._put_vector(db, memory_id, vector)
            if piece_vectors is not None and len(piece_vectors):
                self._put_piece_rows(db, memory_id, piece_vectors)
        return self._get(memory_id)

    async def embed_missing(self, batch: int = 64, progress: Callable[[int], None] | None = None,
                            pieces_at_most: int | None = None) -> int:
        """Vectors of memories without one (deferred, cut off by a crash, or made by another
        model) and sentence vectors still missing: ``missing.fill``, whose count it returns. A
        second call waits for the first (two turns' background steps), then finds what is left."""
        async with self._embedding:
            return await missing.fill(partial(self._run, self._unembedded), self.embedder,
                                      partial(self._run, self._put_vectors),
                                      partial(self._run, self._put_pieces), batch=batch,
                                      progress=progress, pieces_at_most=pieces_at_most)

    def _unembedded(self, flag: Literal["embedded", "pieced"], batch: int) -> list[Unembedded]:
        """Up to ``batch`` memories whose ``flag`` is not yet set."""
        rows = self.db.execute(f"SELECT id, text, role, pieced FROM memories WHERE {flag} = 0"
                               " ORDER BY id LIMIT ?", (batch,)).fetchall()
        return unembedded(rows, speakers(self._profile()))

    def _put_pieces(self, rows: list[Unembedded], found: list[Vectors]) -> None:
        """Store the piece vectors (rows after the first of each in ``found``) of the memories
        that were waiting for them and mark them pieced, unless edited or forgotten since their
        text was read (then the next pass embeds the new text)."""
        with self._write() as db:
            for row, vectors in zip(rows, found, strict=True):
                if row.pieces is None or not db.execute(
                        "UPDATE memories SET pieced = 1 WHERE id = ? AND pieced = 0 AND text = ?",
                        (row.id, row.text)).rowcount:
                    continue
                db.execute("DELETE FROM piece_vectors WHERE memory_id = ?", (row.id,))
                self._put_piece_rows(db, row.id, vectors[1:])

    def _put_piece_rows(self, db: sqlite3.Connection, memory_id: int, vectors: Vectors) -> None:
        db.executemany("INSERT INTO piece_vectors VALUES (?, ?, ?, ?)",
                       [(memory_id, n, self.embedder.model_id, np.asarray(v, dtype=np.float32).tobytes())
                        for n, v in enumerate(vectors)])
        self._pieces.put(memory_id, vectors)

    def _put_vectors(self, rows: list[Unembedded], found: list[Vectors]) -> None:
        """Store each memory's vector (the first row of each in ``found``) and mark it embedded,
        unless it was edited or forgotten since its text was read."""
        with self._write() as db:
            for row, vectors in zip(rows, found, strict=True):
                if db.execute("UPDATE memories SET embedded = 1 WHERE id = ? AND embedded = 0 AND text = ?",
                              (row.id, row.text)).rowcount:
                    self._put_vector(db, row.id, vectors[0])

    def _put_vector(self, db: sqlite3.Connection, memory_id: int, vector: Vectors) -> None:
        blob = np.asarray(vector, dtype=np.float32).tobytes()
        db.execute("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                   (memory_id, self.embedder.model_id, blob))
        self._index.add(memory_id, vector)

    async def add_facts(self, drafts: Sequence[FactDraft], source_id: int | None,
                        exclusive: Callable[[str], bool] = lambda _: False) -> list[MemoryItem]:
        """Store new facts; a repeated fact is not stored twice, and a fact whose predicate is
        exclusive (one value at a time, like where someone lives) supersedes the old value."""
        if not drafts:
            return []
        vectors = await self.embed([d.text for d in drafts])
        return await self._run(self._add_facts, drafts, vectors, source_id, exclusive)

    def _add_facts(self, drafts: Sequence[FactDraft], vectors: Vectors, source_id: int | None,
                   exclusive: Callable[[str], bool]) -> list[MemoryItem]:
        added: list[int] = []
        now = time.time()
        with self._write() as db:
            for draft, vector in zip(drafts, vectors, strict=True):
                digest = fact_hash(draft.text)
                known = db.execute("SELECT id, valid_to FROM memories WHERE kind = 'fact' AND"
                                   " content_hash = ?", (digest,)).fetchone()
                if known is not None and known[1] is None:
                    continue  # already known and current
                if exclusive(draft.predicate):
                    db.execute(
                        "UPDATE memories SET valid_to = ? WHERE kind = 'fact' AND subject = ? AND"
                        " predicate = ? AND valid_to IS NULL", (now, draft.subject, draft.predicate))
                if known is not None:  # true again ("I moved back to Lisbon"): current once more
                    db.execute("UPDATE memories SET valid_to = NULL WHERE id = ?", (known[0],))
                    continue
                cur = db.execute(
                    "INSERT INTO memories (kind, text, created_at, provenance, source_id, subject,"
                    " predicate, object, content_hash) VALUES ('fact', ?, ?, ?, ?, ?, ?, ?, ?)",
                    (draft.text, now, draft.provenance, source_id, draft.subject, draft.predicate,
                     draft.object, digest))
                added.append(int(cur.lastrowid or 0))
                self._put_vector(db, added[-1], vector)
        return [self._get(i) for i in added]

    async def unlearned(self, limit: int = 50) -> list[MemoryItem]:
        """User utterances whose facts have not been extracted yet, oldest first."""
        def go() -> list[MemoryItem]:
            rows = self.db.execute(f"SELECT {_COLUMNS} FROM memories WHERE learned = 0 ORDER BY id"
                                   " LIMIT ?", (limit,)).fetchall()
            return [_item(r) for r in rows]

        return await self._run(go)

    async def mark_learned(self, memory_id: int) -> None:
        def go() -> None:
            with self._write() as db:
                db.execute("UPDATE memories SET learned = 1 WHERE id = ? AND learned = 0", (memory_id,))

        await self._run(go)

    async def forget(self, memory_id: int) -> bool:
        """Delete a memory, its vector, its FTS entry and every fact derived from it, and rebuild
        its session's summary without it, in one transaction; a composed piece's files go too,
        once the deletion has committed."""
        def go() -> bool:
            with self._write() as db:
                doomed = [memory_id] + [r[0] for r in db.execute(
                    "SELECT id FROM memories WHERE source_id = ?", (memory_id,))]
                files = self._moment_files(db, memory_id)
                session = db.execute("SELECT session_id FROM memories WHERE id = ?",
                                     (memory_id,)).fetchone()
                cur = db.execute("DELETE FROM memories WHERE id = ?", (memory_id,))
                if session is not None and session[0] is not None:
                    rebuild(self, db, session[0])
            for gone in doomed:
                self._index.remove(gone)
                self._pieces.remove(gone)
            remove_files(files)
            return cur.rowcount > 0

        return await self._run(go)

    async def edit(self, memory_id: int, text: str, *, status: str | None = None) -> MemoryItem | None:
        """Replace a memory's text (its word index and vector follow), and its status if given;
        None if there is none."""
        text = text.strip()
        if not text:
            raise MemoryStoreError("a memory cannot be empty; use forget to remove it")
        vector = (await self.embed([text]))[0]

        def go() -> MemoryItem | None:
            with self._write() as db:
                # a fact's structured object no longer matches the new words: the text rules
                # the old pieces go at once; the new text's are embedded by embed_missing
                cur = db.execute("UPDATE memories SET text = ?, content_hash = CASE kind WHEN 'fact'"
                                 " THEN ? END, object = NULL, status = COALESCE(?, status),"
                                 " pieced = ? WHERE id = ?",
                                 (text, fact_hash(text), status, int(not sentences(text)), memory_id))
                if cur.rowcount == 0:
                    return None
                db.execute("DELETE FROM piece_vectors WHERE memory_id = ?", (memory_id,))
                self._pieces.remove(memory_id)
                self._put_vector(db, memory_id, vector)
                edited = self._get(memory_id)
                if edited.session_id is not None and edited.kind == "utterance":
                    rebuild(self, db, edited.session_id)  # the old words may be quoted there
            return edited

        return await self._run(go)

    async def compact(self) -> None:
        """Rewrite the file so that nothing forgotten survives anywhere in it: merge the word
        index (dropping deleted entries), VACUUM, and truncate the write-ahead log."""
        def go() -> None:
            with _mapped(self.path):
                self.db.execute("INSERT INTO memories_fts(memories_fts) VALUES ('optimize')")
                self.db.execute("VACUUM")
                self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

        await self._run(go)

    # -- reads -----------------------------------------------------------------------------

    def _get(self, memory_id: int) -> MemoryItem:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM memories WHERE id = ?", (memory_id,)).fetchone()
        if row is None:
            raise MemoryStoreError(f"no memory with id {memory_id}")
        return _item(row)

    def _session_turns(self, session_id: int) -> list[MemoryItem]:
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM memories WHERE session_id = ? AND"
                               " kind = 'utterance' ORDER BY id", (session_id,))
        return [_item(r) for r in rows]

    async def get(self, memory_id: int) -> MemoryItem | None:
        def go() -> MemoryItem | None:
            row = self.db.execute(f"SELECT {_COLUMNS} FROM memories WHERE id = ?",
                                  (memory_id,)).fetchone()
            return _item(row) if row else None

        return await self._run(go)

    async def list_memories(self, *, kind: Kind | None = None, limit: int = 50, offset: int = 0,
                   newest_first: bool = True) -> list[MemoryItem]:
        order = "DESC" if newest_first else "ASC"
        where, args = ("WHERE kind = ?", [kind]) if kind else ("", [])

        def go() -> list[MemoryItem]:
            rows = self.db.execute(
                f"SELECT {_COLUMNS} FROM memories {where} ORDER BY id {order} LIMIT ? OFFSET ?",
                (*args, limit, offset)).fetchall()
            return [_item(r) for r in rows]

        return await self._run(go)

    async def recent_utterances(self, limit: int, *, before_id: int | None = None) -> list[MemoryItem]:
        """The last ``limit`` utterances across sessions, oldest first."""
        def go() -> list[MemoryItem]:
            rows = self.db.execute(
                f"SELECT {_COLUMNS} FROM memories WHERE kind = 'utterance' AND id < ?"
                " ORDER BY id DESC LIMIT ?", (before_id or 2**62, limit)).fetchall()
            return [_item(r) for r in reversed(rows)]

        return await self._run(go)

    async def related(self, memory_id: int) -> dict[str, list[MemoryItem]]:
        """A memory's context: the utterance a fact came from, the facts drawn from an
        utterance, and every value a fact's subject and predicate have had, oldest first."""
        def go() -> dict[str, list[MemoryItem]]:
            item = self._get(memory_id)
            source = [self._get(item.source_id)] if item.source_id else []
            derived = [_item(r) for r in self.db.execute(
                f"SELECT {_COLUMNS} FROM memories WHERE source_id = ? ORDER BY id", (memory_id,))]
            history = [_item(r) for r in self.db.execute(
                f"SELECT {_COLUMNS} FROM memories WHERE kind = 'fact' AND subject = ? AND"
                " predicate = ? ORDER BY created_at, id", (item.subject, item.predicate))]
            return {"source": source, "derived": derived, "history": history}

        return await self._run(go)

    async def find_utterance(self, text: str, created_at: float) -> int | None:
        def go() -> int | None:
            row = self.db.execute(
                "SELECT id FROM memories WHERE kind = 'utterance' AND text = ?"
                " AND abs(created_at - ?) < 0.001",
                (text, created_at)).fetchone()
            return int(row[0]) if row else None

        return await self._run(go)

    async def count(self) -> dict[str, int]:
        def go() -> dict[str, int]:
            rows = self.db.execute("SELECT kind, count(*) FROM memories GROUP BY kind")
            return {str(k): int(n) for k, n in rows}

        return await self._run(go)

    async def export(self) -> list[dict[str, Any]]:
        """Every memory as plain data, oldest first (the JSONL export format)."""
        items = await self.list_memories(limit=-1, newest_first=False)
        return [item.to_dict() for item in items]

    async def search(self, query: str, *, k: int = 8, vector: Vectors | None = None,
                     kinds: Sequence[Kind] | None = None, exclude: Sequence[int] = (),
                     half_life_days: float = 30.0, include_superseded: bool = False,
                     now: float | None = None) -> list[Hit]:
        """Hybrid search: BM25 and cosine similarity fused with each hit's neighbouring turns and
        session, dates named in the query, and recency as of ``now`` (default: the clock).

        Words found in a large share of the memories (in a transcript, the speakers' names) are
        left out of the query's vector, which is then embedded again without them."""
        terms = content_words(query)
        ubiquitous = await self._run(self._ubiquitous, terms)
        stripped = strip_words(query, ubiquitous) if ubiquitous else ""
        if stripped:
            vector = (await self.embed([stripped]))[0]
        elif vector is None:
            vector = (await self.embed([query]))[0]
        return await self._run(self._search, query, terms, vector, k, kinds, set(exclude),
                               half_life_days, include_superseded, time.time() if now is None else now)

    def _ubiquitous(self, terms: list[str]) -> list[str]:
        """Query words found in a large share of the memories. Counting can cost milliseconds in
        a big store, so each answer is kept until the store has grown by a tenth."""
        self._sync_index()
        size = len(self._index)
        if size < UBIQUITY_MIN_STORE:
            return []
        cap = math.ceil(UBIQUITOUS * size)
        found = []
        for term in terms:
            known = self._ubiquity.get(term)
            if known is None or abs(size - known[0]) > size / 10:
                # most words are rare: a count that stops at COMMON_TERM settles them cheaply
                common = cap <= COMMON_TERM or self._matches(term, COMMON_TERM) >= COMMON_TERM
                known = (size, common and self._matches(term, cap) >= cap)
                self._ubiquity[term] = known
            if known[1]:
                found.append(term)
        return found

    def _search(self, query: str, terms: list[str], vector: Vectors, k: int,
                kinds: Sequence[Kind] | None, exclude: set[int], half_life_days: float,
                include_superseded: bool, now: float) -> list[Hit]:
        self._sync_index()
        pool = max(CANDIDATES, 4 * k)
        words = self._word_search(terms, pool)
        near = nearest(self._index.search(vector, pool),
                       self._pieces.search(vector, PIECE_FANOUT * pool), pool)
        candidates = {i for i, _ in words} | {i for i, sim in near if sim >= MIN_VECTOR_SIMILARITY}
        candidates -= exclude
        if not candidates:
            return []
        context = self._context(candidates)
        ids = (candidates | {n for n in (*context.before.values(), *context.after.values())
                             if n is not None}) - exclude
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM memories WHERE id IN ({marks})",
                               tuple(ids)).fetchall()
        items = {r[0]: _item(r) for r in rows}
        items = {i: m for i, m in items.items()
                 if (not kinds or m.kind in kinds) and (include_superseded or m.valid_to is None)}
        similarity = best_similarity(self._index.similarities(items, vector),
                                     self._pieces.similarities(items, vector))
        speaker = named_speaker(query, speakers(self._profile()))
        return fuse(items, candidates & items.keys(), words, near, similarity, context, k=k, now=now,
                    half_life_days=half_life_days, window=time_window(query, now), speaker=speaker)

    def _context(self, ids: set[int]) -> Context:
        """Each utterance's previous and next utterance in its session."""
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

    def _word_search(self, terms: list[str], pool: int) -> list[tuple[int, float]]:
        """BM25 over FTS5 with bounded cost, as (id, -bm25) best first: words found in
        ``COMMON_TERM`` or more memories are left out when rarer ones exist (their weight is small
        anyway); if every word is common, only the most recent matches are ranked."""
        if not terms:
            return []
        rare = [t for t in terms if self._matches(t, COMMON_TERM) < COMMON_TERM]
        if rare:
            rows = self.db.execute(
                "SELECT rowid, bm25(memories_fts) FROM memories_fts WHERE memories_fts MATCH ?"
                " ORDER BY rank LIMIT ?", (fts_query(rare), pool))
            return [(r[0], -r[1]) for r in rows]
        recent = self.db.execute(
            "SELECT rowid, bm25(memories_fts) FROM memories_fts WHERE memories_fts MATCH ?"
            " ORDER BY rowid DESC LIMIT ?", (fts_query(terms), COMMON_TERM)).fetchall()
        return [(r[0], -r[1]) for r in sorted(recent, key=lambda r: r[1])[:pool]]

    def _matches(self, term: str, cap: int) -> int:
        row = self.db.execute(
            "SELECT count(*) FROM (SELECT rowid FROM memories_fts WHERE memories_fts MATCH ? LIMIT ?)",
            (fts_query([term]), cap)).fetchone()
        return int(row[0])

    # -- profile ---------------------------------------------------------------------------

    async def profile(self) -> dict[str, str]:
        return await self._run(self._profile)

    def _profile(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self.db.execute("SELECT key, value FROM profile")}

    async def set_profile(self, values: dict[str, str]) -> None:
        def go() -> None:
            with self._write() as db:
                db.executemany(
                    "INSERT INTO profile VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET"
                    " value = excluded.value, updated_at = excluded.updated_at",
                    [(k, v, time.time()) for k, v in values.items()])

        await self._run(go)


