"""Session summaries in the SQLite store (mixed into ``SQLiteMemory``), see ``summaries.py``."""

from __future__ import annotations

import sqlite3
import time
from typing import TYPE_CHECKING, cast

from os1.memory.summaries import Summary, summarize

if TYPE_CHECKING:
    from os1.memory.sqlite import SQLiteMemory

# sessions whose summary is missing or no longer matches their utterances (count or newest id)
_STALE = (
    "SELECT m.session_id FROM (SELECT session_id, count(*) AS n, max(id) AS last FROM memories"
    " WHERE kind = 'utterance' AND session_id IS NOT NULL AND (? IS NULL OR session_id = ?)"
    " GROUP BY session_id) m LEFT JOIN summaries s ON s.session_id = m.session_id"
    " WHERE s.session_id IS NULL OR s.turns != m.n OR s.last_id != m.last"
    " UNION SELECT s.session_id FROM summaries s WHERE (? IS NULL OR s.session_id = ?)"
    " AND NOT EXISTS (SELECT 1 FROM memories u WHERE u.session_id = s.session_id"
    " AND u.kind = 'utterance')"
)


class SQLiteSummaries:
    """``summarize`` and ``summaries`` for ``SQLiteMemory``."""

    async def summarize(self, session_id: int | None = None) -> int:
        """Rebuild the summary of ``session_id`` (or of every session) if it is missing or
        stale; the number rebuilt or dropped. One transaction."""
        store = cast("SQLiteMemory", self)

        def go() -> int:
            store._sync_index()  # the turns' vectors, if another process added some
            with store._write() as db:
                stale = [r[0] for r in db.execute(_STALE, (session_id,) * 4).fetchall()]
                for stale_id in stale:
                    rebuild(store, db, stale_id)
            return len(stale)

        return await store._run(go)

    async def summaries(self, limit: int = 50) -> list[Summary]:
        """Session summaries, newest session first."""
        store = cast("SQLiteMemory", self)

        def go() -> list[Summary]:
            rows = store.db.execute("SELECT session_id, text, turns, last_id, updated_at FROM summaries"
                                    " ORDER BY session_id DESC LIMIT ?", (limit,)).fetchall()
            return [Summary(*row) for row in rows]

        return await store._run(go)


def rebuild(store: SQLiteMemory, db: sqlite3.Connection, session_id: int) -> None:
    """Write (or, for a session with no turns left, delete) one summary, inside the caller's
    transaction."""
    turns = store._session_turns(session_id)
    if not turns:
        db.execute("DELETE FROM summaries WHERE session_id = ?", (session_id,))
        return
    text = summarize(turns, store._index.vectors(t.id for t in turns))
    db.execute("INSERT INTO summaries VALUES (?, ?, ?, ?, ?) ON CONFLICT(session_id) DO UPDATE SET"
               " text = excluded.text, turns = excluded.turns, last_id = excluded.last_id,"
               " updated_at = excluded.updated_at",
               (session_id, text, len(turns), turns[-1].id, time.time()))
