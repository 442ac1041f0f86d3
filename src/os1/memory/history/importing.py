"""Past conversations into memory, each message at its own time, then the facts the user's
words state, learned in the order they were said (so a later value replaces an earlier one,
dated as it was said). A message already in memory (same words, same time) is not added again,
so an export imported twice adds nothing the second time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from os1.memory.extract import extract_rules, is_exclusive
from os1.memory.history.said import Conversation
from os1.memory.roles import History

LEARN_BATCH = 200


@dataclass(frozen=True)
class Imported:
    conversations: int
    messages: int  # new ones; the rest were in memory already
    facts: int


async def import_history(store: History, conversations: Sequence[Conversation]) -> Imported:
    """Add the conversations (oldest first), learn their facts, and embed what was added."""
    added = 0
    for conversation in sorted(conversations, key=lambda c: c.said[0].at if c.said else 0.0):
        session: int | None = None
        for said in conversation.said:
            if await store.find_utterance(said.text, said.at) is not None:
                continue
            if session is None:
                session = await store.start_session(said.at)
            await store.add_utterance(session, said.role, said.text, created_at=said.at,
                                      defer_vector=True, provenance=said.role)
            added += 1
    facts = await learn_in_order(store)
    await store.embed_missing()
    return Imported(len(conversations), added, facts)


async def learn_in_order(store: History) -> int:
    """Learn the facts of every user message not yet learned from, oldest first; their count."""
    learned = 0
    while waiting := await store.unlearned(LEARN_BATCH):
        for said in sorted(waiting, key=lambda m: (m.created_at, m.id)):
            facts = await store.add_facts(extract_rules(said.text), said.id, exclusive=is_exclusive,
                                          at=said.created_at)
            learned += len(facts)
            await store.mark_learned(said.id)
    return learned
