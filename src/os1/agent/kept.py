"""A reply kept as it streams. Its row is written with its first words, before they are shown,
and rewritten with the words so far at most every ``KEEP_EVERY`` seconds (in the background,
so the stream does not wait on the disk), marked
``interrupted`` until the reply ends; the end writes it whole and ``complete`` (or
``interrupted``, if it was stopped). A process killed mid-reply (SIGKILL, a power cut) runs
nothing at the kill, so what it had said is already stored, and already marked interrupted.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from os1.memory.base import Provenance
from os1.memory.roles import Conversation

KEEP_EVERY = 0.5  # seconds between writes of a reply's words while it streams


class KeptReply:
    """One reply's words, and the row that keeps them."""

    def __init__(self, store: Conversation, session_id: int | None, created_at: float | None,
                 tainted: Callable[[], bool]) -> None:
        self.store = store
        self.session_id = session_id
        self.created_at = created_at
        self.tainted = tainted  # a reply written after reading outside content is outside content
        self.parts: list[str] = []
        self.id: int | None = None
        self._kept = ""  # the words the row holds
        self._kept_at = 0.0
        self._writing = asyncio.Lock()  # one write at a time, a shielded one included
        self._pending: asyncio.Task[None] | None = None  # a background write of the words so far

    @property
    def text(self) -> str:
        return "".join(self.parts)

    async def add(self, words: str) -> None:
        """More words. The first are kept before they are shown; later ones are written in
        the background once the last write is ``KEEP_EVERY`` old, while the reply streams on."""
        self.parts.append(words)
        if self.id is None:
            # shielded: a stop arriving mid-write lets it finish, and ``end`` waits for it
            await asyncio.shield(self._keep("interrupted"))
        elif time.monotonic() - self._kept_at >= KEEP_EVERY and not self._writing_now():
            self._pending = asyncio.create_task(self._keep("interrupted"))

    def _writing_now(self) -> bool:
        return self._pending is not None and not self._pending.done()

    async def end(self, *, interrupted: bool) -> int | None:
        """Keep the reply as it ended; its row's id (None if it said nothing)."""
        if self._pending is not None:
            await asyncio.wait([self._pending])  # a write under way finishes first
            if not self._pending.cancelled():
                self._pending.exception()  # seen: the final write below writes it all again, or raises
        await self._keep("interrupted" if interrupted else "complete", final=True)
        return self.id

    async def _keep(self, status: str, *, final: bool = False) -> None:
        async with self._writing:
            text = self.text.strip()
            if not text or (text == self._kept and not final):
                return
            provenance: Provenance | None = "external" if self.tainted() else None
            if self.id is None:
                saved = await self.store.add_utterance(
                    self.session_id, "assistant", text, status=status, defer_vector=True,
                    provenance=provenance, created_at=self.created_at)
                self.id = saved.id
            else:
                await self.store.restate(self.id, text, status=status, provenance=provenance)
            self._kept, self._kept_at = text, time.monotonic()
