"""Session summaries kept up to date: rebuilt when stale, and inside the transaction that
forgets or edits one of the session's turns (the text itself: ``os1.memory.summaries``)."""

from __future__ import annotations

import time

from os1.memory.backends.base import Backend, Select, Tx
from os1.memory.summaries import Summary, summarize


async def rebuild(tx: Tx, session_id: int) -> None:
    """Write (or, for a session with no turns left, delete) one summary, inside the caller's
    transaction."""
    turns = await tx.select(Select(session_id=session_id, kind="utterance"))
    if not turns:
        await tx.drop_summary(session_id)
        return
    text = summarize(turns, await tx.vectors([t.id for t in turns]))
    await tx.put_summary(Summary(session_id, text, len(turns), turns[-1].id, time.time()))


class Summaries:
    """``summarize`` and ``summaries``."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def summarize(self, session_id: int | None = None) -> int:
        """Rebuild the summary of ``session_id`` (or of every session) if it is missing or
        stale; the number rebuilt or dropped. One transaction."""
        async with self.backend.transaction(write=True) as tx:
            stale = await tx.stale_sessions(session_id)
            for stale_id in stale:
                await rebuild(tx, stale_id)
        return len(stale)

    async def summaries(self, limit: int = 50) -> list[Summary]:
        """Session summaries, newest session first."""
        async with self.backend.transaction() as tx:
            return await tx.summaries(limit)
