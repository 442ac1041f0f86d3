"""The shared memory store: PostgreSQL with pgvector, many users in one database.

``PostgresMemory`` has the public API of ``SQLiteMemory`` for deployments that serve many users
from one server. One instance is bound to one user, and that binding is the isolation boundary:

* every table (``os1_sessions``, ``os1_memories``, ``os1_vectors``, ``os1_piece_vectors``,
  ``os1_profile``) has a ``user_id`` column that leads its primary key, and every statement this
  class sends matches ``user_id`` to the instance's user. Ids are unique across users, yet an id
  alone never addresses a row: another user's id finds nothing, deletes nothing and updates nothing;
* links between rows are composite foreign keys on ``(user_id, id)``, so a session or source
  memory can only be one of the same user's (naming another user's is a refused write), and
  ``forget`` cascades in the database to the vector and to every fact derived from the memory.

Search follows ``SQLiteMemory.search`` step by step and scores with the same ``ranking.fuse``;
only the two signals come from the server. Words are PostgreSQL full-text search: a stored
``tsvector`` column generated from the text (English stemming, GIN index), ranked with
``ts_rank_cd`` in place of BM25, with the same bound on common words. Vectors are pgvector
``vector`` values compared by cosine distance (``<=>``), a memory's whole vector and its sentences'
(``ranking.sentences``) alike, each memory scored by its best. The nearest-vector query is exact over
the user's own rows (found through the primary key): a global HNSW index filtered to one user
afterwards loses recall (before pgvector 0.8 it yields at most ``ef_search`` candidates before the
filter), while one user's memories are few enough to scan.

The schema is created on open under an advisory lock and recorded in ``os1_migrations``, so many
processes may open stores at once. Each call runs as one transaction on a pooled connection
(psycopg 3, async); the pool is the store's own when opened from a DSN, or shared between users
when one is passed in. psycopg errors become one-line ``MemoryStoreError`` messages.
"""

from __future__ import annotations

import asyncio
import math
import time
import weakref
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any, Literal, TypeAlias

import numpy as np
import psycopg
from pgvector.psycopg.vector import register_vector_info
from psycopg import AsyncConnection
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import TupleRow
from psycopg.types import TypeInfo
from psycopg_pool import AsyncConnectionPool, PoolClosed, PoolTimeout

from os1.errors import MemoryStoreError
from os1.memory import missing
from os1.memory.base import Embedder, FactDraft, Hit, Kind, MemoryItem, Provenance, Vectors
from os1.memory.moments import remove_files
from os1.memory.moments_postgres import MIGRATION as MOMENTS_MIGRATION
from os1.memory.moments_postgres import PostgresMoments
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
from os1.memory.sqlite import COMMON_TERM, fact_hash
from os1.memory.summaries_postgres import MIGRATION as SUMMARIES_MIGRATION
from os1.memory.summaries_postgres import PostgresSummaries, rebuild

Conn: TypeAlias = AsyncConnection[TupleRow]
Pool: TypeAlias = AsyncConnectionPool[AsyncConnection[TupleRow]]

CONNECT_TIMEOUT = 10  # seconds to reach the server
_TAUGHT: weakref.WeakSet[Any] = weakref.WeakSet()  # connections that know the vector type
_COLUMNS = ("id, kind, text, created_at, role, session_id, provenance, source_id, subject, "
            "predicate, object, valid_to, status")
_NO_ID = 2**62  # above every id: "before no particular memory"

# -- schema --------------------------------------------------------------------------------

MIGRATIONS: list[tuple[str, tuple[str, ...]]] = [
    ("m001_initial", (
        "CREATE EXTENSION IF NOT EXISTS vector",
        """CREATE TABLE IF NOT EXISTS os1_sessions (
            user_id text NOT NULL,
            id bigint GENERATED ALWAYS AS IDENTITY,
            started_at double precision NOT NULL,
            PRIMARY KEY (user_id, id))""",
        """CREATE TABLE IF NOT EXISTS os1_memories (
            user_id text NOT NULL,
            id bigint GENERATED ALWAYS AS IDENTITY,
            kind text NOT NULL CHECK (kind IN ('utterance', 'fact')),
            text text NOT NULL,
            created_at double precision NOT NULL,
            role text,
            session_id bigint,
            provenance text NOT NULL DEFAULT 'user',
            source_id bigint,
            subject text, predicate text, object text,
            valid_to double precision,
            status text NOT NULL DEFAULT 'complete',
            content_hash text,
            embedded boolean NOT NULL DEFAULT true,
            learned boolean NOT NULL DEFAULT true,
            words tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
            PRIMARY KEY (user_id, id),
            FOREIGN KEY (user_id, session_id) REFERENCES os1_sessions (user_id, id),
            FOREIGN KEY (user_id, source_id) REFERENCES os1_memories (user_id, id) ON DELETE CASCADE)""",
        "CREATE INDEX IF NOT EXISTS os1_memories_kind ON os1_memories (user_id, kind, id)",
        "CREATE INDEX IF NOT EXISTS os1_memories_session ON os1_memories (user_id, session_id, id)",
        "CREATE INDEX IF NOT EXISTS os1_memories_source ON os1_memories (user_id, source_id)",
        "CREATE INDEX IF NOT EXISTS os1_memories_fact_key ON os1_memories (user_id, subject, predicate)"
        " WHERE kind = 'fact'",
        "CREATE UNIQUE INDEX IF NOT EXISTS os1_memories_fact_hash ON os1_memories (user_id, content_hash)"
        " WHERE kind = 'fact'",
        "CREATE INDEX IF NOT EXISTS os1_memories_unembedded ON os1_memories (user_id, id) WHERE NOT embedded",
        "CREATE INDEX IF NOT EXISTS os1_memories_unlearned ON os1_memories (user_id, id) WHERE NOT learned",
        "CREATE INDEX IF NOT EXISTS os1_memories_words ON os1_memories USING gin (words)",
        """CREATE TABLE IF NOT EXISTS os1_vectors (
            user_id text NOT NULL,
            memory_id bigint NOT NULL,
            model text NOT NULL,
            v vector NOT NULL,
            PRIMARY KEY (user_id, memory_id),
            FOREIGN KEY (user_id, memory_id) REFERENCES os1_memories (user_id, id) ON DELETE CASCADE)""",
        """CREATE TABLE IF NOT EXISTS os1_profile (
            user_id text NOT NULL,
            key text NOT NULL,
            value text NOT NULL,
            updated_at double precision NOT NULL,
            PRIMARY KEY (user_id, key))""",
    )),
    MOMENTS_MIGRATION,
    SUMMARIES_MIGRATION,
    # sentence vectors ("pieces", ranking.sentences) of memories of several sentences; memories
    # whose pieces are still to be embedded are marked (m005 marks those stored before)
    ("m004_piece_vectors", (
        "ALTER TABLE os1_memories ADD COLUMN IF NOT EXISTS pieced boolean NOT NULL DEFAULT true",
        "CREATE INDEX IF NOT EXISTS os1_memories_unpieced ON os1_memories (user_id, id) WHERE NOT pieced",
        """CREATE TABLE IF NOT EXISTS os1_piece_vectors (
            user_id text NOT NULL,
            memory_id bigint NOT NULL,
            n integer NOT NULL,
            model text NOT NULL,
            v vector NOT NULL,
            PRIMARY KEY (user_id, memory_id, n),
            FOREIGN KEY (user_id, memory_id) REFERENCES os1_memories (user_id, id) ON DELETE CASCADE)""",
    )),
    # utterances stored before m004 that may hold several sentences (one of the characters that
    # end or cut a sentence; the spaces around it are left to Python, whose \s knows more of them)
    # are marked for the background step after a turn, which finds the sentences
    # (ranking.sentence_spans) and marks one with fewer than two done without a vector
    ("m005_piece_backfill", (
        "UPDATE os1_memories m SET pieced = false WHERE kind = 'utterance' AND pieced"
        " AND text ~ '[.!?\u2013\u2014-]|\\['"
        " AND NOT EXISTS (SELECT 1 FROM os1_piece_vectors p WHERE p.user_id = m.user_id"
        " AND p.memory_id = m.id)",
    )),
]


async def migrate(conn: Conn) -> None:
    """Apply every migration not yet recorded, in the caller's transaction, under a
    database-wide advisory lock so that two processes opening at once do not race."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('os1 schema', 0))")
    await conn.execute("CREATE TABLE IF NOT EXISTS os1_migrations"
                       " (name text PRIMARY KEY, applied_at double precision NOT NULL)")
    cur = await conn.execute("SELECT name FROM os1_migrations")
    done = {row[0] for row in await cur.fetchall()}
    for name, statements in MIGRATIONS:
        if name in done:
            continue
        for statement in statements:
            await conn.execute(statement)
        await conn.execute("INSERT INTO os1_migrations VALUES (%s, %s)", (name, time.time()))


# -- errors --------------------------------------------------------------------------------

def _line(exc: BaseException) -> str:
    """The error's text on one line, bounded."""
    return " ".join(str(exc).split())[:300]


def _message(where: str, exc: psycopg.Error) -> str:
    """A one-line message naming the server and, where there is one, the fix."""
    text = _line(exc)
    if isinstance(exc, PoolTimeout):
        return f"{where} is busy: no pooled connection came free in time; try again"
    if isinstance(exc, PoolClosed):
        return f"{where}: the connection pool is closed"
    if isinstance(exc, psycopg.OperationalError) and (exc.sqlstate or "08").startswith("08"):
        return f"cannot reach {where}: {text}; check the DSN and that the server is running"
    if 'extension "vector"' in text:
        return (f"{where} cannot use pgvector: {text}; install pgvector on the server and have an"
                " admin run CREATE EXTENSION vector")
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return f"{where} refused access: {text}; grant the role rights on the os1_* tables"
    if isinstance(exc, psycopg.IntegrityError):
        return f"memory store {where} refused a write: {text}"
    return f"memory store {where}: {text}"


@contextmanager
def _mapped(where: str) -> Iterator[None]:
    """psycopg (and pool) errors become one-line MemoryStoreErrors."""
    try:
        yield
    except psycopg.Error as exc:
        raise MemoryStoreError(_message(where, exc)) from exc


def describe(conninfo: str) -> str:
    """The server and database a DSN names, for messages: never its password."""
    try:
        params = conninfo_to_dict(conninfo)
    except psycopg.Error as exc:
        raise MemoryStoreError(f"bad PostgreSQL DSN: {_line(exc)}") from exc
    port = f":{params['port']}" if params.get("port") else ""
    return f"PostgreSQL {params.get('host') or 'localhost'}{port}/{params.get('dbname') or ''}"


def check_user(user: str) -> str:
    if not user or len(user) > 256 or not user.isprintable():
        raise MemoryStoreError(f"bad user id {user[:40]!r}: use 1 to 256 printable characters")
    return user


def _item(row: Sequence[Any]) -> MemoryItem:
    return MemoryItem(*row)


def _tsquery(count: int) -> str:
    """SQL for an OR of ``count`` words, each a parameter parsed as plain text (so no
    tsquery syntax can come from the user)."""
    return " || ".join(["plainto_tsquery('english', %s)"] * count)


class PostgresMemory(PostgresMoments, PostgresSummaries):
    """One user's memory in a shared PostgreSQL database."""

    def __init__(self, pool: Pool, user: str, embedder: Embedder, *, where: str, owned: bool,
                 vector_info: TypeInfo) -> None:
        self.user = user
        self.embedder = embedder
        self.where = where
        self._pool: Pool | None = pool
        self._owned = owned
        self._vector_info = vector_info
        self._embedding = asyncio.Lock()  # one embed_missing at a time: no memory embedded twice

    # -- lifecycle -------------------------------------------------------------------------

    @classmethod
    async def open(cls, dsn: str | Pool, user: str, embedder: Embedder, *,
                   max_connections: int = 4) -> PostgresMemory:
        """Open ``user``'s memory, creating the schema if needed. ``dsn`` is a libpq conninfo
        string or URI (the store then owns a pool of up to ``max_connections``), or an open
        ``AsyncConnectionPool`` shared with other users' stores (left open by ``close``)."""
        check_user(user)
        if isinstance(dsn, str):
            store = await cls._open_dsn(dsn, user, embedder, max_connections)
        else:
            where = describe(dsn.conninfo) if isinstance(dsn.conninfo, str) else "PostgreSQL"
            with _mapped(where):
                async with dsn.connection() as conn:
                    info = await cls._prepare(conn)
            store = cls(dsn, user, embedder, where=where, owned=False, vector_info=info)
        if stale := await store._mark_stale():
            await store.embed_missing(progress=reporter(stale, embedder.model_id))
        return store

    @classmethod
    async def _open_dsn(cls, dsn: str, user: str, embedder: Embedder,
                        max_connections: int) -> PostgresMemory:
        """Migrate on a direct connection first (so that an unreachable server is a prompt,
        clear error rather than a pool timeout), then open the store's own pool."""
        where = describe(dsn)
        with _mapped(where):
            async with await AsyncConnection.connect(dsn, connect_timeout=CONNECT_TIMEOUT) as conn:
                info = await cls._prepare(conn)
            pool: Pool = AsyncConnectionPool(dsn, min_size=1, max_size=max_connections, open=False,
                                             kwargs={"connect_timeout": CONNECT_TIMEOUT})
            await pool.open(wait=True, timeout=CONNECT_TIMEOUT)
        return cls(pool, user, embedder, where=where, owned=True, vector_info=info)

    @staticmethod
    async def _prepare(conn: Conn) -> TypeInfo:
        """Migrate, commit, and look up the vector type for the adapters."""
        await migrate(conn)
        await conn.commit()
        info = await TypeInfo.fetch(conn, "vector")
        if info is None:
            raise MemoryStoreError("the pgvector type 'vector' is missing after migration")
        return info

    async def _mark_stale(self) -> int:
        """Mark the user's memories whose vectors another model made for embedding again; their
        count (with any left from an interrupted re-embedding)."""
        model, user = self.embedder.model_id, self.user
        async with self._tx() as conn:  # every open asks; only a model change writes
            cur = await conn.execute(
                "SELECT (SELECT count(*) FROM os1_vectors WHERE user_id = %s AND model <> %s),"
                " EXISTS (SELECT 1 FROM os1_piece_vectors WHERE user_id = %s AND model <> %s)",
                (user, model, user, model))
            stale, stale_pieces = await _one(cur)
            if stale:
                await conn.execute(
                    "UPDATE os1_memories SET embedded = false WHERE user_id = %s AND embedded AND"
                    " id IN (SELECT memory_id FROM os1_vectors WHERE user_id = %s AND model <> %s)",
                    (user, user, model))
            if stale_pieces:  # their sentence vectors too
                await conn.execute(
                    "UPDATE os1_memories SET pieced = false WHERE user_id = %s AND pieced AND id IN"
                    " (SELECT memory_id FROM os1_piece_vectors WHERE user_id = %s AND model <> %s)",
                    (user, user, model))
        return int(stale)

    async def close(self) -> None:
        if self._pool is not None and self._owned:
            await self._pool.close()
        self._pool = None

    @property
    def pool(self) -> Pool:
        if self._pool is None:
            raise MemoryStoreError("the memory store is closed")
        return self._pool

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[Conn]:
        """One transaction on a pooled connection: committed when the block ends, rolled back
        if it raises. A connection new to os1 learns the vector type first (a local step, no
        round trip, but it builds adapter classes: too slow to repeat for every transaction)."""
        pool = self.pool
        with _mapped(self.where):
            async with pool.connection() as conn:
                if conn not in _TAUGHT:
                    register_vector_info(conn, self._vector_info)
                    _TAUGHT.add(conn)
                yield conn

    # -- writes ----------------------------------------------------------------------------

    async def embed(self, texts: list[str]) -> Vectors:
        return await asyncio.to_thread(self.embedder.embed, texts)

    async def start_session(self) -> int:
        async with self._tx() as conn:
            cur = await conn.execute("INSERT INTO os1_sessions (user_id, started_at) VALUES (%s, %s)"
                                     " RETURNING id", (self.user, time.time()))
            return int((await _one(cur))[0])

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
        its sentences' vectors unless ``piece_vectors`` (from ``embed_turn``) brings them."""
        if vector is None and not defer_vector:
            vector = (await self.embed([text]))[0]
        provenance = provenance or ("user" if role == "user" else "assistant")
        row = (self.user, text, created_at or time.time(), role, session_id, provenance, status,
               vector is not None, role != "user" or not learn,  # the user's words wait to be learned
               piece_vectors is not None or not sentences(text))  # else embed_missing adds pieces
        async with self._tx() as conn:
            cur = await conn.execute(
                "INSERT INTO os1_memories (user_id, kind, text, created_at, role, session_id, provenance,"
                " status, embedded, learned, pieced)"
                " VALUES (%s, 'utterance', %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                f" RETURNING {_COLUMNS}", row)
            item = _item(await _one(cur))
            if vector is not None:
                await self._put_vector(conn, item.id, vector)
            if piece_vectors is not None and len(piece_vectors):
                await self._put_piece_rows(conn, item.id, piece_vectors)
        return item

    async def _put_vector(self, conn: Conn, memory_id: int, vector: Vectors) -> None:
        await conn.execute(
            "INSERT INTO os1_vectors (user_id, memory_id, model, v) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (user_id, memory_id) DO UPDATE SET model = excluded.model, v = excluded.v",
            (self.user, memory_id, self.embedder.model_id, np.asarray(vector, dtype=np.float32)))

    async def embed_missing(self, batch: int = 64, progress: Callable[[int], None] | None = None,
                            pieces_at_most: int | None = None) -> int:
        """Vectors of memories without one (deferred, cut off by a crash, or made by another
        model) and sentence vectors still missing: ``missing.fill``, whose count it returns. A
        second call waits for the first (two turns' background steps), then finds what is left."""
        async with self._embedding:
            return await missing.fill(self._unembedded, self.embedder, self._put_vectors,
                                      self._put_pieces, batch=batch, progress=progress,
                                      pieces_at_most=pieces_at_most)

    async def _unembedded(self, flag: Literal["embedded", "pieced"], batch: int) -> list[Unembedded]:
        """Up to ``batch`` memories whose ``flag`` is not yet set."""
        async with self._tx() as conn:
            cur = await conn.execute(f"SELECT id, text, role, pieced FROM os1_memories WHERE user_id = %s"
                                     f" AND NOT {flag} ORDER BY id LIMIT %s", (self.user, batch))
            found = await cur.fetchall()
            names = speakers(await self._profile(conn))
        return unembedded([(int(r[0]), str(r[1]), r[2], bool(r[3])) for r in found], names)

    async def _put_pieces(self, rows: list[Unembedded], found: list[Vectors]) -> None:
        """Store the piece vectors (rows after the first of each in ``found``) of the memories
        that were waiting for them and mark them pieced, unless edited or forgotten since their
        text was read (then the next pass embeds the new text)."""
        async with self._tx() as conn:
            for row, vectors in zip(rows, found, strict=True):
                if row.pieces is None:
                    continue
                cur = await conn.execute("UPDATE os1_memories SET pieced = true WHERE user_id = %s"
                                         " AND id = %s AND NOT pieced AND text = %s",
                                         (self.user, row.id, row.text))
                if not cur.rowcount:
                    continue
                await conn.execute("DELETE FROM os1_piece_vectors WHERE user_id = %s AND memory_id = %s",
                                   (self.user, row.id))
                await self._put_piece_rows(conn, row.id, vectors[1:])

    async def _put_piece_rows(self, conn: Conn, memory_id: int, vectors: Vectors) -> None:
        async with conn.cursor() as many:
            await many.executemany(
                "INSERT INTO os1_piece_vectors (user_id, memory_id, n, model, v) VALUES (%s, %s, %s, %s, %s)",
                [(self.user, memory_id, n, self.embedder.model_id, np.asarray(v, dtype=np.float32))
                 for n, v in enumerate(vectors)])

    async def _put_vectors(self, rows: list[Unembedded], found: list[Vectors]) -> None:
        """Mark each memory embedded and store its vector (the first row of each in ``found``);
        one edited or forgotten since its text was read is skipped."""
        model = self.embedder.model_id
        params = [(self.user, row.id, row.text, model, np.asarray(vectors[0], dtype=np.float32))
                  for row, vectors in zip(rows, found, strict=True)]
        async with self._tx() as conn, conn.cursor() as cur:
            await cur.executemany(
                "WITH marked AS (UPDATE os1_memories SET embedded = true WHERE user_id = %s AND id = %s"
                " AND text = %s RETURNING user_id, id) INSERT INTO os1_vectors (user_id, memory_id, model, v)"
                " SELECT user_id, id, %s, %s FROM marked ON CONFLICT (user_id, memory_id)"
                " DO UPDATE SET model = excluded.model, v = excluded.v", params)

    async def add_facts(self, drafts: Sequence[FactDraft], source_id: int | None,
                        exclusive: Callable[[str], bool] = lambda _: False) -> list[MemoryItem]:
        """Store new facts; a repeated fact is not stored twice, and a fact whose predicate is
        exclusive (one value at a time, like where someone lives) supersedes the old value.
        A per-user advisory lock serialises this with the user's other fact writers."""
        if not drafts:
            return []
        vectors = await self.embed([d.text for d in drafts])
        added: list[MemoryItem] = []
        async with self._tx() as conn:
            await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('os1 facts ' || %s, 0))",
                               (self.user,))
            for draft, vector in zip(drafts, vectors, strict=True):
                item = await self._add_fact(conn, draft, source_id, exclusive(draft.predicate))
                if item is not None:
                    await self._put_vector(conn, item.id, vector)
                    added.append(item)
        return added

    async def _add_fact(self, conn: Conn, draft: FactDraft, source_id: int | None,
                        exclusive: bool) -> MemoryItem | None:
        """Insert one fact unless the user already has it, superseding the old value first."""
        digest, now = fact_hash(draft.text), time.time()
        cur = await conn.execute("SELECT id, valid_to FROM os1_memories WHERE user_id = %s AND"
                                 " kind = 'fact' AND content_hash = %s", (self.user, digest))
        known = await cur.fetchone()
        if known is not None and known[1] is None:
            return None  # already known and current
        if exclusive:
            await conn.execute(
                "UPDATE os1_memories SET valid_to = %s WHERE user_id = %s AND kind = 'fact'"
                " AND subject = %s AND predicate = %s AND valid_to IS NULL",
                (now, self.user, draft.subject, draft.predicate))
        if known is not None:  # true again: current once more
            await conn.execute("UPDATE os1_memories SET valid_to = NULL WHERE user_id = %s AND id = %s",
                               (self.user, known[0]))
            return None
        cur = await conn.execute(
            "INSERT INTO os1_memories (user_id, kind, text, created_at, provenance, source_id, subject,"
            " predicate, object, content_hash) VALUES (%s, 'fact', %s, %s, %s, %s, %s, %s, %s, %s)"
            f" RETURNING {_COLUMNS}",
            (self.user, draft.text, now, draft.provenance, source_id, draft.subject, draft.predicate,
             draft.object, digest))
        return _item(await _one(cur))

    async def unlearned(self, limit: int = 50) -> list[MemoryItem]:
        """User utterances whose facts have not been extracted yet, oldest first."""
        async with self._tx() as conn:
            return await self._items(conn, f"SELECT {_COLUMNS} FROM os1_memories WHERE user_id = %s"
                                     " AND NOT learned ORDER BY id LIMIT %s", (limit,))

    async def mark_learned(self, memory_id: int) -> None:
        async with self._tx() as conn:
            await conn.execute("UPDATE os1_memories SET learned = true WHERE user_id = %s AND id = %s"
                               " AND NOT learned", (self.user, memory_id))

    async def forget(self, memory_id: int) -> bool:
        """Delete a memory; the database cascades to its vector and every fact derived from it
        (and theirs). The word index is a column of the row, so it goes with it. Its session's
        summary is rebuilt without it in the same transaction."""
        async with self._tx() as conn:
            files = await self._moment_files(conn, memory_id)
            cur = await conn.execute("DELETE FROM os1_memories WHERE user_id = %s AND id = %s"
                                     " RETURNING session_id", (self.user, memory_id))
            gone = await cur.fetchone()
            if gone is not None and gone[0] is not None:
                await rebuild(self, conn, int(gone[0]))
        remove_files(files)  # a composed piece's files, once the deletion has committed
        return gone is not None

    async def edit(self, memory_id: int, text: str, *, status: str | None = None) -> MemoryItem | None:
        """Replace a memory's text (its word index and vector follow), and its status if given;
        None if there is none."""
        text = text.strip()
        if not text:
            raise MemoryStoreError("a memory cannot be empty; use forget to remove it")
        vector = (await self.embed([text]))[0]
        async with self._tx() as conn:
            # the old pieces go at once; the new text's are embedded by embed_missing
            cur = await conn.execute(
                "UPDATE os1_memories SET text = %s, content_hash = CASE kind WHEN 'fact' THEN %s END,"
                " object = NULL, status = COALESCE(%s, status), pieced = %s WHERE user_id = %s"
                f" AND id = %s RETURNING {_COLUMNS}",
                (text, fact_hash(text), status, not sentences(text), self.user, memory_id))
            row = await cur.fetchone()
            if row is None:
                return None
            await conn.execute("DELETE FROM os1_piece_vectors WHERE user_id = %s AND memory_id = %s",
                               (self.user, memory_id))
            await self._put_vector(conn, memory_id, vector)
            edited = _item(row)
            if edited.session_id is not None and edited.kind == "utterance":
                await rebuild(self, conn, edited.session_id)  # the old words may be quoted there
        return edited

    async def compact(self) -> None:
        """VACUUM the memory tables so forgotten rows' space is reclaimed. Unlike SQLite's
        compact this cannot promise that no trace survives (the WAL, replicas and backups are
        the server's), and it runs over all users' rows, though it reads none of them out."""
        pool = self.pool
        with _mapped(self.where):
            async with pool.connection() as conn:
                await conn.set_autocommit(True)  # VACUUM cannot run inside a transaction
                try:
                    await conn.execute("VACUUM (ANALYZE) os1_memories, os1_vectors, os1_piece_vectors")
                finally:
                    await conn.set_autocommit(False)

    # -- reads -----------------------------------------------------------------------------

    async def _get(self, conn: Conn, memory_id: int) -> MemoryItem | None:
        cur = await conn.execute(f"SELECT {_COLUMNS} FROM os1_memories WHERE user_id = %s AND id = %s",
                                 (self.user, memory_id))
        row = await cur.fetchone()
        return _item(row) if row else None

    async def _items(self, conn: Conn, query: str, params: Sequence[Any]) -> list[MemoryItem]:
        """Memories from a query whose first parameter is the user."""
        cur = await conn.execute(query, (self.user, *params))
        return [_item(r) for r in await cur.fetchall()]

    async def _session_turns(self, conn: Conn, session_id: int) -> list[MemoryItem]:
        return await self._items(conn, f"SELECT {_COLUMNS} FROM os1_memories WHERE user_id = %s"
                                 " AND session_id = %s AND kind = 'utterance' ORDER BY id", (session_id,))

    async def get(self, memory_id: int) -> MemoryItem | None:
        async with self._tx() as conn:
            return await self._get(conn, memory_id)

    async def list_memories(self, *, kind: Kind | None = None, limit: int = 50, offset: int = 0,
                            newest_first: bool = True) -> list[MemoryItem]:
        """A page of memories; a negative ``limit`` means all of them (as in SQLite)."""
        order = "DESC" if newest_first else "ASC"
        where, args = ("AND kind = %s", [kind]) if kind else ("", [])
        async with self._tx() as conn:
            return await self._items(
                conn, f"SELECT {_COLUMNS} FROM os1_memories WHERE user_id = %s {where}"
                f" ORDER BY id {order} LIMIT %s OFFSET %s", (*args, limit if limit >= 0 else None, offset))

    async def recent_utterances(self, limit: int, *, before_id: int | None = None) -> list[MemoryItem]:
        """The last ``limit`` utterances across sessions, oldest first."""
        async with self._tx() as conn:
            items = await self._items(
                conn, f"SELECT {_COLUMNS} FROM os1_memories WHERE user_id = %s AND kind = 'utterance'"
                " AND id < %s ORDER BY id DESC LIMIT %s", (before_id or _NO_ID, limit))
        return items[::-1]

    async def related(self, memory_id: int) -> dict[str, list[MemoryItem]]:
        """A memory's context: the utterance a fact came from, the facts drawn from an
        utterance, and every value a fact's subject and predicate have had, oldest first."""
        async with self._tx() as conn:
            item = await self._get(conn, memory_id)
            if item is None:
                raise MemoryStoreError(f"no memory with id {memory_id}")
            source = await self._get(conn, item.source_id) if item.source_id else None
            derived = await self._items(conn, f"SELECT {_COLUMNS} FROM os1_memories WHERE user_id = %s"
                                        " AND source_id = %s ORDER BY id", (memory_id,))
            history = await self._items(
                conn, f"SELECT {_COLUMNS} FROM os1_memories WHERE user_id = %s AND kind = 'fact'"
                " AND subject = %s AND predicate = %s ORDER BY created_at, id",
                (item.subject, item.predicate))
        return {"source": [source] if source else [], "derived": derived, "history": history}

    async def find_utterance(self, text: str, created_at: float) -> int | None:
        async with self._tx() as conn:
            cur = await conn.execute(
                "SELECT id FROM os1_memories WHERE user_id = %s AND kind = 'utterance' AND text = %s"
                " AND abs(created_at - %s) < 0.001 ORDER BY id LIMIT 1", (self.user, text, created_at))
            row = await cur.fetchone()
        return int(row[0]) if row else None

    async def count(self) -> dict[str, int]:
        async with self._tx() as conn:
            cur = await conn.execute("SELECT kind, count(*) FROM os1_memories WHERE user_id = %s"
                                     " GROUP BY kind", (self.user,))
            return {str(k): int(n) for k, n in await cur.fetchall()}

    async def export(self) -> list[dict[str, Any]]:
        """Every memory as plain data, oldest first (the JSONL export format)."""
        items = await self.list_memories(limit=-1, newest_first=False)
        return [item.to_dict() for item in items]

    async def search(self, query: str, *, k: int = 8, vector: Vectors | None = None,
                     kinds: Sequence[Kind] | None = None, exclude: Sequence[int] = (),
                     half_life_days: float = 30.0, include_superseded: bool = False,
                     now: float | None = None) -> list[Hit]:
        """Hybrid search as in SQLite: full-text rank and cosine similarity fused with each
        hit's neighbouring turns and session, dates named in the query, and recency as of
        ``now`` (default: the clock). Words found in a large share of the user's memories are
        left out of the query's vector, which is then embedded again without them."""
        terms = content_words(query)
        ubiquitous = await self._ubiquitous(terms)
        stripped = strip_words(query, ubiquitous) if ubiquitous else ""
        if stripped:
            vector = (await self.embed([stripped]))[0]
        elif vector is None:
            vector = (await self.embed([query]))[0]
        now = time.time() if now is None else now
        pool, skip = max(CANDIDATES, 4 * k), set(exclude)
        async with self._tx() as conn:
            words = await self._word_search(conn, terms, pool)
            near = await self._vector_search(conn, vector, pool)
            candidates = {i for i, _ in words} | {i for i, sim in near if sim >= MIN_VECTOR_SIMILARITY}
            candidates -= skip
            if not candidates:
                return []
            context = await self._context(conn, candidates)
            neighbours = {n for n in (*context.before.values(), *context.after.values()) if n is not None}
            found = await self._items(conn, f"SELECT {_COLUMNS} FROM os1_memories WHERE user_id = %s"
                                      " AND id = ANY(%s)", (sorted((candidates | neighbours) - skip),))
            items = {m.id: m for m in found
                     if (not kinds or m.kind in kinds) and (include_superseded or m.valid_to is None)}
            similarity = await self._similarities(conn, list(items), vector)
            speaker = named_speaker(query, speakers(await self._profile(conn)))
        return fuse(items, candidates & items.keys(), words, near, similarity, context, k=k, now=now,
                    half_life_days=half_life_days, window=time_window(query, now), speaker=speaker)

    async def _ubiquitous(self, terms: list[str]) -> list[str]:
        """The query words found in ``UBIQUITOUS`` or more of the user's memories (in a
        transcript, the speakers' names), once the user has ``UBIQUITY_MIN_STORE`` vectors."""
        if not terms:
            return []
        async with self._tx() as conn:
            cur = await conn.execute("SELECT count(*) FROM os1_vectors WHERE user_id = %s AND model = %s",
                                     (self.user, self.embedder.model_id))
            stored = int((await _one(cur))[0])
            if stored < UBIQUITY_MIN_STORE:
                return []
            cap = math.ceil(UBIQUITOUS * stored)
            counts = await self._matches(conn, terms, cap)
        return [t for t in terms if counts.get(t, 0) >= cap]

    async def _word_search(self, conn: Conn, terms: list[str], pool: int) -> list[tuple[int, float]]:
        """Full-text ranks with bounded cost, as (id, ts_rank_cd) best first: words found in
        ``COMMON_TERM`` or more memories are left out when rarer ones exist (their weight is small
        anyway); if every word is common, only the most recent matches are ranked."""
        if not terms:
            return []
        counts = await self._matches(conn, terms, COMMON_TERM)
        rare = [t for t in terms if counts.get(t, 0) < COMMON_TERM]
        cur = await conn.execute(
            "SELECT id, ts_rank_cd(words, q, 1) AS score FROM (SELECT m.id, m.words, w.q FROM os1_memories m,"
            f" (SELECT {_tsquery(len(rare or terms))} AS q) w WHERE m.user_id = %s AND m.words @@ w.q"
            " ORDER BY m.id DESC LIMIT %s) found ORDER BY score DESC, id DESC LIMIT %s",
            (*(rare or terms), self.user, None if rare else COMMON_TERM, pool))
        return [(int(i), float(score)) for i, score in await cur.fetchall()]

    async def _matches(self, conn: Conn, terms: list[str], cap: int) -> dict[str, int]:
        """How many of the user's memories match each word, counting up to ``cap``."""
        cur = await conn.execute(
            "SELECT t.term, (SELECT count(*) FROM (SELECT 1 FROM os1_memories m WHERE m.user_id = %s"
            " AND m.words @@ plainto_tsquery('english', t.term) LIMIT %s) hits)"
            " FROM unnest(%s::text[]) AS t(term)", (self.user, cap, terms))
        return {str(term): int(n) for term, n in await cur.fetchall()}

    async def _vector_search(self, conn: Conn, vector: Vectors, pool: int) -> list[tuple[int, float]]:
        """The user's ``pool`` nearest memories by cosine distance of their best vector (whole
        or piece), as (id, similarity)."""
        query = np.asarray(vector, dtype=np.float32)
        if not np.any(query):
            return []  # a zero vector has no direction: nothing is near it
        found = []
        for table, limit in (("os1_vectors", pool), ("os1_piece_vectors", PIECE_FANOUT * pool)):
            cur = await conn.execute(
                f"SELECT memory_id, v <=> %s AS distance FROM {table} WHERE user_id = %s AND model = %s"
                " ORDER BY distance LIMIT %s", (query, self.user, self.embedder.model_id, limit))
            found.append([(int(i), 1.0 - float(d)) for i, d in await cur.fetchall() if not math.isnan(d)])
        return nearest(found[0], found[1], pool)

    async def _similarities(self, conn: Conn, ids: list[int], vector: Vectors) -> dict[int, float]:
        """Cosine similarity of the query to each of these memories that has a vector: that of
        its best vector, whole or piece."""
        query = np.asarray(vector, dtype=np.float32)
        if not ids or not np.any(query):
            return {}
        found = []
        for table in ("os1_vectors", "os1_piece_vectors"):
            cur = await conn.execute(
                f"SELECT memory_id, max(1 - (v <=> %s)) FROM {table} WHERE user_id = %s AND model = %s"
                " AND memory_id = ANY(%s) GROUP BY memory_id",
                (query, self.user, self.embedder.model_id, ids))
            found.append({int(i): float(s) for i, s in await cur.fetchall() if not math.isnan(s)})
        return best_similarity(found[0], found[1])

    async def _context(self, conn: Conn, ids: set[int]) -> Context:
        """Each utterance's previous and next utterance in its session."""
        cur = await conn.execute(
            "SELECT m.id,"
            " (SELECT max(p.id) FROM os1_memories p WHERE p.user_id = m.user_id"
            "  AND p.session_id = m.session_id AND p.id < m.id AND p.kind = 'utterance'),"
            " (SELECT min(n.id) FROM os1_memories n WHERE n.user_id = m.user_id"
            "  AND n.session_id = m.session_id AND n.id > m.id AND n.kind = 'utterance')"
            " FROM os1_memories m WHERE m.user_id = %s AND m.id = ANY(%s) AND m.kind = 'utterance'"
            " AND m.session_id IS NOT NULL", (self.user, sorted(ids)))
        rows = await cur.fetchall()
        return Context({r[0]: r[1] for r in rows}, {r[0]: r[2] for r in rows})

    # -- profile ---------------------------------------------------------------------------

    async def profile(self) -> dict[str, str]:
        async with self._tx() as conn:
            return await self._profile(conn)

    async def _profile(self, conn: Conn) -> dict[str, str]:
        cur = await conn.execute("SELECT key, value FROM os1_profile WHERE user_id = %s ORDER BY key",
                                 (self.user,))
        return {str(k): str(v) for k, v in await cur.fetchall()}

    async def set_profile(self, values: dict[str, str]) -> None:
        now = time.time()
        async with self._tx() as conn, conn.cursor() as cur:
            await cur.executemany(
                "INSERT INTO os1_profile (user_id, key, value, updated_at) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value,"
                " updated_at = excluded.updated_at", [(self.user, k, v, now) for k, v in values.items()])


async def _one(cur: psycopg.AsyncCursor[TupleRow]) -> TupleRow:
    """The one row a RETURNING statement gives."""
    row = await cur.fetchone()
    if row is None:
        raise MemoryStoreError("the database returned no row for a write")
    return row
