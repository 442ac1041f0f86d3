"""Session summaries in the PostgreSQL store (mixed into ``PostgresMemory``), see
``summaries.py``. Every statement is scoped to the store's user, as everywhere in that store."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, cast

import numpy as np

from os1.memory.summaries import Summary, summarize

if TYPE_CHECKING:
    from os1.memory.postgres import Conn, PostgresMemory

MIGRATION = ("m003_session_summaries", (
    """CREATE TABLE IF NOT EXISTS os1_summaries (
        user_id text NOT NULL,
        session_id bigint NOT NULL,
        text text NOT NULL,
        turns integer NOT NULL,
        last_id bigint NOT NULL,
        updated_at double precision NOT NULL,
        PRIMARY KEY (user_id, session_id),
        FOREIGN KEY (user_id, session_id) REFERENCES os1_sessions (user_id, id) ON DELETE CASCADE)""",
))

# the user's sessions whose summary is missing or no longer matches their utterances
_STALE = (
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


class PostgresSummaries:
    """``summarize`` and ``summaries`` for ``PostgresMemory``."""

    async def summarize(self, session_id: int | None = None) -> int:
        """Rebuild the summary of ``session_id`` (or of every session) if it is missing or
        stale; the number rebuilt or dropped. One transaction."""
        store = cast("PostgresMemory", self)
        async with store._tx() as conn:
            cur = await conn.execute(_STALE, {"user": store.user, "session": session_id})
            stale = [int(r[0]) for r in await cur.fetchall()]
            for stale_id in stale:
                await rebuild(store, conn, stale_id)
        return len(stale)

    async def summaries(self, limit: int = 50) -> list[Summary]:
        """Session summaries, newest session first."""
        store = cast("PostgresMemory", self)
        async with store._tx() as conn:
            cur = await conn.execute(
                "SELECT session_id, text, turns, last_id, updated_at FROM os1_summaries"
                " WHERE user_id = %s ORDER BY session_id DESC LIMIT %s", (store.user, limit))
            return [Summary(int(r[0]), str(r[1]), int(r[2]), int(r[3]), float(r[4]))
                    for r in await cur.fetchall()]


async def rebuild(store: PostgresMemory, conn: Conn, session_id: int) -> None:
    """Write (or, for a session with no turns left, delete) one summary, inside the caller's
    transaction."""
    turns = await store._session_turns(conn, session_id)
    if not turns:
        await conn.execute("DELETE FROM os1_summaries WHERE user_id = %s AND session_id = %s",
                           (store.user, session_id))
        return
    cur = await conn.execute(
        "SELECT memory_id, v::real[] FROM os1_vectors WHERE user_id = %s AND model = %s"
        " AND memory_id = ANY(%s)",
        (store.user, store.embedder.model_id, [t.id for t in turns]))
    vectors = {int(i): np.asarray(v, dtype=np.float32) for i, v in await cur.fetchall()}
    await conn.execute(
        "INSERT INTO os1_summaries (user_id, session_id, text, turns, last_id, updated_at)"
        " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (user_id, session_id) DO UPDATE SET"
        " text = excluded.text, turns = excluded.turns, last_id = excluded.last_id,"
        " updated_at = excluded.updated_at",
        (store.user, session_id, summarize(turns, vectors), len(turns), turns[-1].id, time.time()))

