"""One PostgreSQL transaction's primitives (``backends.base.Tx``), each scoped to the user.

Words are PostgreSQL full-text search: a stored ``tsvector`` column generated from the text
(English stemming, GIN index), ranked with ``ts_rank_cd`` in place of BM25. Vectors are pgvector
``vector`` values compared by cosine distance (``<=>``). The nearest-vector query is exact over the
user's own rows (found through the primary key): a global HNSW index filtered to one user
afterwards loses recall, while one user's memories are few enough to scan.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import psycopg
from psycopg.rows import TupleRow

from os1.errors import MemoryStoreError
from os1.memory.backends.base import Flag, NewMemory, Scored, Select
from os1.memory.backends.postgres.schema import Conn
from os1.memory.backends.select import COLUMNS, conditions, item, tail
from os1.memory.base import MemoryItem, Provenance, Vectors
from os1.memory.moments import ImageDraft
from os1.memory.ranking import Context
from os1.memory.summaries import Summary

TABLES = {False: "os1_vectors", True: "os1_piece_vectors"}  # whole vectors, piece vectors

# the user's sessions whose summary is missing or no longer matches their utterances
STALE = (
    "SELECT m.session_id FROM (SELECT session_id, count(*) AS n, max(id) AS last FROM os1_memories"
    " WHERE user_id = %(user)s AND kind = 'utterance' AND session_id IS NOT NULL"
    " AND (%(session)s::bigint IS NULL OR session_id = %(session)s) GROUP BY session_id) m"
    " LEFT JOIN os1_summaries s ON s.user_id = %(user)s AND s.session_id = m.session_id"
    " WHERE s.session_id IS NULL OR s.turns != m.n OR s.last_id != m.last"
    " UNION SELECT s.session_id FROM os1_summaries s WHERE s.user_id = %(user)s"
    " AND (%(session)s::bigint IS NULL OR s.session_id = %(session)s)"
    " AND NOT EXISTS (SELECT 1 FROM os1_memories u WHERE u.user_id = %(user)s"
    " AND u.session_id = s.session_id AND u.kind = 'utterance')"
)


def _tsquery(count: int) -> str:
    """SQL for an OR of ``count`` words, each a parameter parsed as plain text (so no
    tsquery syntax can come from the user)."""
    return " || ".join(["plainto_tsquery('english', %s)"] * count)


def _vector(vector: Vectors) -> Any:
    return np.asarray(vector, dtype=np.float32)


async def _one(cur: psycopg.AsyncCursor[TupleRow]) -> TupleRow:
    """The one row a RETURNING statement gives."""
    row = await cur.fetchone()
    if row is None:
        raise MemoryStoreError("the database returned no row for a write")
    return row


class PostgresTx:
    """Primitives inside one transaction, on one pooled connection, for one user."""

    def __init__(self, conn: Conn, user: str, model_id: str) -> None:
        self.conn = conn
        self.user = user
        self.model_id = model_id

    async def _rows(self, sql: str, params: Sequence[Any] | Mapping[str, Any]) -> list[TupleRow]:
        return await (await self.conn.execute(sql, params)).fetchall()

    async def _row(self, sql: str, params: Sequence[Any]) -> TupleRow | None:
        return await (await self.conn.execute(sql, params)).fetchone()

    async def _count(self, sql: str, params: Sequence[Any]) -> int:
        return (await self.conn.execute(sql, params)).rowcount

    # -- rows ------------------------------------------------------------------------------

    async def new_session(self, started_at: float) -> int:
        cur = await self.conn.execute("INSERT INTO os1_sessions (user_id, started_at) VALUES (%s, %s)"
                                      " RETURNING id", (self.user, started_at))
        return int((await _one(cur))[0])

    async def insert(self, m: NewMemory) -> int:
        cur = await self.conn.execute(
            "INSERT INTO os1_memories (user_id, kind, text, created_at, role, session_id, provenance,"
            " status, source_id, subject, predicate, object, content_hash, embedded, learned, pieced,"
            " private) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " RETURNING id",
            (self.user, m.kind, m.text, m.created_at, m.role, m.session_id, m.provenance, m.status,
             m.source_id, m.subject, m.predicate, m.object, m.content_hash, m.embedded, m.learned,
             m.pieced, m.private))
        return int((await _one(cur))[0])

    async def select(self, query: Select) -> list[MemoryItem]:
        where, params = conditions(query, "%s", lambda ids: ("id = ANY(%s)", [ids]), "NOT learned")
        order, more = tail(query, "%s")
        sql = f"SELECT {COLUMNS} FROM os1_memories WHERE " + " AND ".join(["user_id = %s", *where])
        return [item(r) for r in await self._rows(sql + order, (self.user, *params, *more))]

    async def count_kinds(self) -> dict[str, int]:
        rows = await self._rows("SELECT kind, count(*) FROM os1_memories WHERE user_id = %s"
                                " GROUP BY kind", (self.user,))
        return {str(k): int(n) for k, n in rows}

    async def pending(self, flag: Flag, limit: int) -> list[tuple[int, str, str | None, bool]]:
        rows = await self._rows(f"SELECT id, text, role, pieced FROM os1_memories WHERE user_id = %s"
                                f" AND NOT {flag} ORDER BY id LIMIT %s", (self.user, limit))
        return [(int(r[0]), str(r[1]), r[2], bool(r[3])) for r in rows]

    async def settle(self, flag: Flag, memory_id: int, text: str | None = None) -> bool:
        return await self._count(
            f"UPDATE os1_memories SET {flag} = true WHERE user_id = %s AND id = %s AND NOT {flag}"
            " AND (%s::text IS NULL OR text = %s)", (self.user, memory_id, text, text)) > 0

    async def rewrite(self, memory_id: int, text: str, content_hash: str, status: str | None,
                      pieced: bool) -> bool:
        await self._drop_next_gloss(memory_id)
        return await self._count(
            "UPDATE os1_memories SET text = %s, content_hash = CASE kind WHEN 'fact' THEN %s END,"
            " object = NULL, status = COALESCE(%s, status), pieced = %s WHERE user_id = %s AND id = %s",
            (text, content_hash, status, pieced, self.user, memory_id)) > 0

    async def set_private(self, memory_ids: Sequence[int], private: bool) -> int:
        return await self._count("UPDATE os1_memories SET private = %s WHERE user_id = %s"
                                 " AND id = ANY(%s)", (private, self.user, list(memory_ids)))

    async def restate(self, memory_id: int, text: str, status: str, provenance: Provenance | None,
                      pieced: bool) -> None:
        await self.conn.execute(
            "UPDATE os1_memories SET text = %s, status = %s, provenance = COALESCE(%s, provenance),"
            " embedded = false, pieced = %s WHERE user_id = %s AND id = %s",
            (text, status, provenance, pieced, self.user, memory_id))

    async def delete(self, memory_id: int) -> tuple[bool, int | None]:
        """The database cascades to the vectors and to every fact derived from the memory; the
        word index is a column of the row, so it goes with it."""
        await self._drop_next_gloss(memory_id)
        gone = await self._row("DELETE FROM os1_memories WHERE user_id = %s AND id = %s"
                               " RETURNING session_id", (self.user, memory_id))
        return gone is not None, (int(gone[0]) if gone and gone[0] is not None else None)

    async def _drop_next_gloss(self, memory_id: int) -> None:
        """The gloss of the turn after this one in its session, drawn from this one's words."""
        await self.conn.execute(
            "UPDATE os1_memories SET gloss = '' WHERE user_id = %s AND gloss != '' AND id = (SELECT"
            " min(n.id) FROM os1_memories m JOIN os1_memories n ON n.user_id = m.user_id AND"
            " n.session_id = m.session_id AND n.id > m.id AND n.kind = 'utterance'"
            " WHERE m.user_id = %s AND m.id = %s)", (self.user, self.user, memory_id))

    async def fact(self, content_hash: str) -> tuple[int, float | None] | None:
        row = await self._row("SELECT id, valid_to FROM os1_memories WHERE user_id = %s AND"
                              " kind = 'fact' AND content_hash = %s", (self.user, content_hash))
        return (int(row[0]), row[1]) if row else None

    async def supersede(self, subject: str, predicate: str, now: float) -> None:
        await self.conn.execute(
            "UPDATE os1_memories SET valid_to = %s WHERE user_id = %s AND kind = 'fact'"
            " AND subject = %s AND predicate = %s AND valid_to IS NULL",
            (now, self.user, subject, predicate))

    async def close_fact(self, memory_id: int, now: float) -> None:
        await self.conn.execute("UPDATE os1_memories SET valid_to = %s WHERE user_id = %s AND id = %s"
                                " AND valid_to IS NULL", (now, self.user, memory_id))

    async def revive(self, memory_id: int) -> None:
        await self.conn.execute("UPDATE os1_memories SET valid_to = NULL WHERE user_id = %s AND id = %s",
                                (self.user, memory_id))

    async def serialize(self, topic: str) -> None:
        """A per-user advisory lock on ``topic`` until the transaction ends."""
        await self.conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 1))",
                                (f"{self.user}\n{topic}",))

    async def profile(self) -> dict[str, str]:
        rows = await self._rows("SELECT key, value FROM os1_profile WHERE user_id = %s ORDER BY key",
                                (self.user,))
        return {str(k): str(v) for k, v in rows}

    async def set_profile(self, values: Mapping[str, str], now: float) -> None:
        async with self.conn.cursor() as cur:
            await cur.executemany(
                "INSERT INTO os1_profile (user_id, key, value, updated_at) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value,"
                " updated_at = excluded.updated_at", [(self.user, k, v, now) for k, v in values.items()])

    # -- summaries -------------------------------------------------------------------------

    async def stale_sessions(self, session_id: int | None) -> list[int]:
        return [int(r[0]) for r in await self._rows(STALE, {"user": self.user, "session": session_id})]

    async def put_summary(self, s: Summary) -> None:
        await self.conn.execute(
            "INSERT INTO os1_summaries (user_id, session_id, text, turns, last_id, updated_at)"
            " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (user_id, session_id) DO UPDATE SET"
            " text = excluded.text, turns = excluded.turns, last_id = excluded.last_id,"
            " updated_at = excluded.updated_at",
            (self.user, s.session_id, s.text, s.turns, s.last_id, s.updated_at))

    async def drop_summary(self, session_id: int) -> None:
        await self.conn.execute("DELETE FROM os1_summaries WHERE user_id = %s AND session_id = %s",
                                (self.user, session_id))

    async def summaries(self, limit: int) -> list[Summary]:
        rows = await self._rows("SELECT session_id, text, turns, last_id, updated_at FROM os1_summaries"
                                " WHERE user_id = %s ORDER BY session_id DESC LIMIT %s", (self.user, limit))
        return [Summary(int(r[0]), str(r[1]), int(r[2]), int(r[3]), float(r[4])) for r in rows]

    # -- vectors ---------------------------------------------------------------------------

    async def put_vector(self, memory_id: int, vector: Vectors) -> None:
        await self.conn.execute(
            "INSERT INTO os1_vectors (user_id, memory_id, model, v) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (user_id, memory_id) DO UPDATE SET model = excluded.model, v = excluded.v",
            (self.user, memory_id, self.model_id, _vector(vector)))

    async def put_pieces(self, memory_id: int, vectors: Vectors) -> None:
        async with self.conn.cursor() as many:
            await many.executemany(
                "INSERT INTO os1_piece_vectors (user_id, memory_id, n, model, v) VALUES (%s, %s, %s, %s, %s)",
                [(self.user, memory_id, n, self.model_id, _vector(v)) for n, v in enumerate(vectors)])

    async def unembed(self, memory_ids: Sequence[int]) -> None:
        ids = list(memory_ids)
        for table in ("os1_vectors", "os1_piece_vectors"):
            await self.conn.execute(f"DELETE FROM {table} WHERE user_id = %s AND memory_id = ANY(%s)",
                                    (self.user, ids))
        await self.conn.execute("UPDATE os1_memories SET embedded = false"
                                " WHERE user_id = %s AND id = ANY(%s)", (self.user, ids))

    async def drop_pieces(self, memory_id: int) -> None:
        await self.conn.execute("DELETE FROM os1_piece_vectors WHERE user_id = %s AND memory_id = %s",
                                (self.user, memory_id))

    async def fill_vectors(self, rows: Sequence[tuple[int, str, Vectors, str]]) -> None:
        async with self.conn.cursor() as cur:
            await cur.executemany(
                "WITH marked AS (UPDATE os1_memories SET embedded = true, gloss = %s WHERE user_id = %s"
                " AND id = %s AND NOT embedded AND text = %s RETURNING user_id, id) INSERT INTO os1_vectors"
                " (user_id, memory_id, model, v) SELECT user_id, id, %s, %s FROM marked"
                " ON CONFLICT (user_id, memory_id) DO UPDATE SET model = excluded.model, v = excluded.v",
                [(gloss, self.user, i, text, self.model_id, _vector(v)) for i, text, v, gloss in rows])

    async def fill_pieces(self, rows: Sequence[tuple[int, str, Vectors]]) -> None:
        for memory_id, text, vectors in rows:
            if await self._count("UPDATE os1_memories SET pieced = true WHERE user_id = %s AND id = %s"
                                 " AND NOT pieced AND text = %s", (self.user, memory_id, text)):
                await self.drop_pieces(memory_id)
                await self.put_pieces(memory_id, vectors)

    async def vectors(self, ids: Sequence[int]) -> dict[int, Vectors]:
        rows = await self._rows("SELECT memory_id, v::real[] FROM os1_vectors WHERE user_id = %s"
                                " AND model = %s AND memory_id = ANY(%s)",
                                (self.user, self.model_id, list(ids)))
        return {int(i): np.asarray(v, dtype=np.float32) for i, v in rows}

    async def vector_count(self) -> int:
        row = await self._row("SELECT count(*) FROM os1_vectors WHERE user_id = %s AND model = %s",
                              (self.user, self.model_id))
        return int(row[0]) if row else 0

    async def nearest(self, vector: Vectors, k: int, piece_k: int) -> tuple[Scored, Scored]:
        query = _vector(vector)
        if not np.any(query):
            return [], []  # a zero vector has no direction: nothing is near it
        found = []
        for table, limit in ((TABLES[False], k), (TABLES[True], piece_k)):
            rows = await self._rows(
                f"SELECT memory_id, v <=> %s AS distance FROM {table} WHERE user_id = %s"
                " AND model = %s ORDER BY distance LIMIT %s", (query, self.user, self.model_id, limit))
            found.append([(int(i), 1.0 - float(d)) for i, d in rows if not math.isnan(d)])
        return found[0], found[1]

    async def similarities(self, ids: Sequence[int],
                           vector: Vectors) -> tuple[dict[int, float], dict[int, float]]:
        query = _vector(vector)
        if not ids or not np.any(query):
            return {}, {}
        found = []
        for table in TABLES.values():
            rows = await self._rows(
                f"SELECT memory_id, max(1 - (v <=> %s)) FROM {table} WHERE user_id = %s"
                " AND model = %s AND memory_id = ANY(%s) GROUP BY memory_id",
                (query, self.user, self.model_id, list(ids)))
            found.append({int(i): float(s) for i, s in rows if not math.isnan(s)})
        return found[0], found[1]

    async def mark_stale(self) -> int:
        model, user = self.model_id, self.user
        row = await self._row(
            "SELECT (SELECT count(*) FROM os1_vectors WHERE user_id = %s AND model <> %s),"
            " EXISTS (SELECT 1 FROM os1_piece_vectors WHERE user_id = %s AND model <> %s)",
            (user, model, user, model))
        stale, stale_pieces = row if row else (0, False)
        if stale:
            await self.conn.execute(
                "UPDATE os1_memories SET embedded = false WHERE user_id = %s AND embedded AND"
                " id IN (SELECT memory_id FROM os1_vectors WHERE user_id = %s AND model <> %s)",
                (user, user, model))
        if stale_pieces:  # their sentence vectors too
            await self.conn.execute(
                "UPDATE os1_memories SET pieced = false WHERE user_id = %s AND pieced AND id IN"
                " (SELECT memory_id FROM os1_piece_vectors WHERE user_id = %s AND model <> %s)",
                (user, user, model))
        return int(stale)

    # -- words -----------------------------------------------------------------------------

    async def term_counts(self, terms: Sequence[str], cap: int) -> dict[str, int]:
        if not terms:
            return {}
        rows = await self._rows(
            "SELECT t.term, (SELECT count(*) FROM (SELECT 1 FROM os1_memories m WHERE m.user_id = %s"
            " AND m.words @@ plainto_tsquery('english', t.term) LIMIT %s) hits)"
            " FROM unnest(%s::text[]) AS t(term)", (self.user, cap, list(terms)))
        return {str(term): int(n) for term, n in rows}

    async def word_ranks(self, terms: Sequence[str], limit: int, recent: int | None) -> Scored:
        """``ts_rank_cd`` of each match."""
        rows = await self._rows(
            "SELECT id, ts_rank_cd(words, q, 1) AS score FROM (SELECT m.id, m.words, w.q FROM os1_memories m,"
            f" (SELECT {_tsquery(len(terms))} AS q) w WHERE m.user_id = %s AND m.words @@ w.q"
            " ORDER BY m.id DESC LIMIT %s) found ORDER BY score DESC, id DESC LIMIT %s",
            (*terms, self.user, recent, limit))
        return [(int(i), float(score)) for i, score in rows]

    async def neighbours(self, ids: Sequence[int]) -> Context:
        rows = await self._rows(
            "SELECT m.id,"
            " (SELECT max(p.id) FROM os1_memories p WHERE p.user_id = m.user_id"
            "  AND p.session_id = m.session_id AND p.id < m.id AND p.kind = 'utterance'),"
            " (SELECT min(n.id) FROM os1_memories n WHERE n.user_id = m.user_id"
            "  AND n.session_id = m.session_id AND n.id > m.id AND n.kind = 'utterance')"
            " FROM os1_memories m WHERE m.user_id = %s AND m.id = ANY(%s) AND m.kind = 'utterance'"
            " AND m.session_id IS NOT NULL", (self.user, sorted(ids)))
        return Context({r[0]: r[1] for r in rows}, {r[0]: r[2] for r in rows})

    # -- moments ---------------------------------------------------------------------------

    async def moment_of_key(self, key: str) -> int | None:
        row = await self._row("SELECT memory_id FROM os1_moments WHERE user_id = %s AND key = %s",
                              (self.user, key))
        return int(row[0]) if row else None

    async def insert_moment(self, memory_id: int, kind: str, key: str, data: str) -> None:
        await self.conn.execute("INSERT INTO os1_moments (user_id, memory_id, kind, key, data) VALUES"
                                " (%s, %s, %s, %s, %s)", (self.user, memory_id, kind, key, data))

    async def add_image(self, memory_id: int, image: ImageDraft, seen: str, now: float) -> None:
        await self.conn.execute(
            "INSERT INTO os1_images (user_id, hash, mime, data, created_at) VALUES"
            " (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (self.user, image.hash, image.mime, image.data, now))
        await self.conn.execute(
            "INSERT INTO os1_moment_images (user_id, memory_id, hash, seen) VALUES"
            " (%s, %s, %s, %s) ON CONFLICT DO NOTHING", (self.user, memory_id, image.hash, seen))

    async def moment_row(self, memory_id: int) -> tuple[str, str, str] | None:
        row = await self._row("SELECT kind, key, data FROM os1_moments WHERE user_id = %s AND memory_id = %s",
                              (self.user, memory_id))
        return (str(row[0]), str(row[1]), str(row[2])) if row else None

    async def moment_images(self, memory_id: int) -> list[tuple[str, str]]:
        rows = await self._rows("SELECT hash, seen FROM os1_moment_images WHERE user_id = %s"
                                " AND memory_id = %s ORDER BY added", (self.user, memory_id))
        return [(str(h), str(s)) for h, s in rows]

    async def moment_ids(self, kind: str | None, key: str | None, limit: int) -> list[int]:
        rows = await self._rows(
            "SELECT memory_id FROM os1_moments WHERE user_id = %s AND (%s::text IS NULL OR kind = %s)"
            " AND (%s::text IS NULL OR key = %s) ORDER BY memory_id DESC LIMIT %s",
            (self.user, kind, kind, key, key, limit))
        return [int(r[0]) for r in rows]

    async def pieces_data(self, except_id: int) -> list[str]:
        rows = await self._rows("SELECT data FROM os1_moments WHERE user_id = %s AND memory_id != %s"
                                " AND kind = 'piece'", (self.user, except_id))
        return [str(r[0]) for r in rows]

    async def image(self, digest: str) -> tuple[str, bytes] | None:
        row = await self._row("SELECT mime, data FROM os1_images WHERE user_id = %s AND hash = %s",
                              (self.user, digest))
        return (str(row[0]), bytes(row[1])) if row else None
