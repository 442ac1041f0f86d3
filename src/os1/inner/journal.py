"""The journal os1 keeps: one entry per finished conversation, written in the background (on the
first turn of the next conversation, or when the user opens the journal), kept as a memory.

An entry is a moment of kind ``journal`` with provenance ``inferred`` (os1's conclusions from the
user's own words, as an extracted fact is): a memory row whose text is the entry, so it is
recalled, listed, edited, forgotten and exported like any memory, plus data naming the
conversation, the memories it was drawn from and how it was written. Only the user's own words
and os1's own replies are read (never outside content, nor a reply that read some), and every
line is then checked against the conversation's outside content (``verbatim``), whichever way
it was written; so recalling an entry does not taint a turn.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol

from os1.errors import InputError
from os1.inner.entry import Entry, clip, day_of
from os1.inner.noticing import rule_entry
from os1.inner.verbatim import Outside
from os1.inner.writing import model_entry
from os1.llm.base import ChatModel
from os1.memory.base import MemoryItem
from os1.memory.moments import Moment, MomentDraft
from os1.memory.roles import Curation, Keepsakes, Profile
from os1.outside import from_outside

KIND = "journal"
LOOK_BACK = 600  # recent utterances read to find conversations still without an entry
IDLE_S = 15 * 60  # a conversation is finished after this long in silence


class JournalMemory(Curation, Keepsakes, Profile, Protocol):
    """What the journal asks of the store."""


class Journal:
    """One user's journal over their store; ``model`` is None on a model too small to write
    (the entry is then written by rules)."""

    def __init__(self, store: JournalMemory, model: ChatModel | None = None,
                 mood: str = "") -> None:
        self.store = store
        self.model = model
        self.mood = mood  # the mood in words, noted in each entry

    async def entries(self, limit: int = 50) -> list[Moment]:
        return await self.store.moments(KIND, limit)

    async def entry(self, memory_id: int) -> Moment:
        moment = await self.store.moment(memory_id)
        if moment is None or moment.kind != KIND:
            raise InputError(f"no journal entry {memory_id} (see `os1 journal list`)")
        return moment

    async def edit(self, memory_id: int, text: str) -> MemoryItem:
        await self.entry(memory_id)
        edited = await self.store.edit(memory_id, text)
        if edited is None:
            raise InputError(f"no journal entry {memory_id}")
        return edited

    async def forget(self, memory_id: int) -> None:
        await self.entry(memory_id)
        await self.store.forget(memory_id)
        await self.store.compact()  # the words gone from the file and its log, as any forget

    async def write_pending(self, current: int | None = None, now: float | None = None,
                            idle_s: float = IDLE_S) -> list[Moment]:
        """An entry for each finished conversation (silent for ``idle_s``; never ``current``,
        which is going on) that has none yet. Another process may still be in a conversation
        that is not silent, so it waits."""
        now = time.time() if now is None else now
        conversations = await self._conversations()
        entries = await self._without_private(await self.entries(limit=500), conversations)
        written = {m.data.get("session_id") for m in entries}
        kept = []
        for session_id, turns in sorted(conversations.items()):
            ongoing = session_id == current or now - turns[-1].created_at < idle_s
            if session_id not in written and not ongoing:
                kept.append(await self.write(session_id, turns))
        return kept

    async def _without_private(self, entries: list[Moment],
                               conversations: dict[int, list[MemoryItem]]) -> list[Moment]:
        """The entries, less those drawn from a memory the user has since made private: these
        are forgotten, to be written again without it (when their conversation is recent)."""
        facts = await self.store.list_memories(kind="fact", limit=LOOK_BACK)
        private = {m.id for m in [*facts, *(t for ts in conversations.values() for t in ts)]
                   if m.private}
        kept = []
        for entry in entries:
            if private & set(entry.data.get("sources") or ()):
                await self.store.forget(entry.item.id)
            else:
                kept.append(entry)
        return kept

    async def write(self, session_id: int, turns: Sequence[MemoryItem]) -> Moment:
        """Write and keep the entry for one conversation (its turns, oldest first); what the
        user keeps private is never read for it."""
        own = [t for t in turns if not from_outside(t) and not t.private]
        outside = Outside([t.text for t in turns if from_outside(t)]
                          + [m.text for m in await self._outside_during(turns)])
        facts = await self._facts_from({t.id for t in own if t.role == "user"})
        entry = await self._draft(session_id, own, facts)
        entry = _checked(entry, outside)
        moment, _ = await self.store.add_moment(MomentDraft(
            KIND, entry.key, entry.text(), entry.data(), provenance="inferred",
            created_at=turns[-1].created_at if turns else None))
        return moment

    async def _draft(self, session_id: int, own: Sequence[MemoryItem],
                     facts: Sequence[MemoryItem]) -> Entry:
        day = day_of(own[0].created_at) if own else ""
        if self.model is not None and own:
            profile = await self.store.profile()
            written = await model_entry(self.model, session_id, own, day=day, mood=self.mood,
                                        name=profile.get("os_name") or "os1",
                                        user=profile.get("user_name") or "the user")
            if written is not None:
                return written
        return rule_entry(session_id, own, facts, day=day, mood=self.mood)

    async def _conversations(self) -> dict[int, list[MemoryItem]]:
        """The recent conversations' turns, oldest first, by session."""
        sessions: dict[int, list[MemoryItem]] = defaultdict(list)
        for item in reversed(await self.store.list_memories(kind="utterance", limit=LOOK_BACK)):
            if item.session_id is not None:
                sessions[item.session_id].append(item)
        return dict(sessions)

    async def _facts_from(self, said: set[int]) -> list[MemoryItem]:
        facts = await self.store.list_memories(kind="fact", limit=LOOK_BACK)
        return [f for f in reversed(facts)
                if f.source_id in said and not from_outside(f) and not f.private]

    async def _outside_during(self, turns: Sequence[MemoryItem]) -> list[MemoryItem]:
        """Outside memories (shared posts, pages) kept while the conversation went on."""
        if not turns:
            return []
        start, end = turns[0].created_at, turns[-1].created_at
        facts = await self.store.list_memories(kind="fact", limit=LOOK_BACK)
        return [f for f in facts if from_outside(f) and start <= f.created_at <= end]


def _checked(entry: Entry, outside: Outside) -> Entry:
    """The entry with every line that quotes outside content left out."""
    noticed = clip(outside.keep(entry.noticed)) or ("that it was a short conversation",)
    return Entry(entry.session_id, noticed, clip(outside.keep(entry.curious)),
                 clip(outside.keep(entry.ask_next)), entry.sources, entry.how, entry.mood, entry.day)
