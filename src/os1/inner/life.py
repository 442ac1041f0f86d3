"""``InnerLife``: what the companion's background step calls after each turn (the mood hears the
user's words; on a conversation's first turn, the journal catches up on finished ones), and the
mood line its persona prompt carries."""

from __future__ import annotations

import time
from collections.abc import Callable

from os1.inner.journal import IDLE_S, Journal, JournalMemory
from os1.inner.mood import PROFILE_KEY, Mood, appraise, loads
from os1.llm.base import ChatModel
from os1.memory.base import MemoryItem
from os1.outside import from_outside


class InnerLife:
    """One user's mood and journal over their store. ``model`` writes journal entries when it
    is capable (None: written by rules); ``clock`` gives the time (a simulated one in tests)."""

    def __init__(self, store: JournalMemory, model: ChatModel | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.model = model
        self.clock = clock

    async def mood(self) -> Mood:
        """The mood now, as time has left it."""
        kept = (await self.store.profile()).get(PROFILE_KEY)
        return loads(kept).at_time(self.clock())

    async def heard(self, said: MemoryItem) -> Mood:
        """Move the mood by the user's words (never by outside content), and keep it."""
        mood = await self.mood()
        nudge = appraise(said.text) if said.role == "user" and not from_outside(said) else None
        if nudge is None:
            return mood
        moved = mood.moved(nudge, self.clock(), said.id)
        await self.store.set_profile({PROFILE_KEY: moved.dumps()})
        return moved

    async def journal(self) -> Journal:
        return Journal(self.store, self.model, (await self.mood()).words())

    async def catch_up(self, current: int | None = None, idle_s: float = IDLE_S) -> int:
        """Write the journal entries owed for finished conversations (silent for ``idle_s``);
        how many were written."""
        return len(await (await self.journal()).write_pending(current, self.clock(), idle_s))
