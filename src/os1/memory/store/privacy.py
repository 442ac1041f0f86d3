"""Keeping memories private: a private memory is the user's alone. os1 still recalls it in the
user's own conversation, but the initiative never proposes anything from it, the journal never
writes about it, and nothing of it is told to another agent or served to one.

What is marked is a saying, not a row: a fact with the sentence it was drawn from and that
sentence's other facts, an utterance with its facts. A fact drawn later from a private sentence
is stored private (``store.facts``)."""

from __future__ import annotations

from collections.abc import Sequence

from os1.memory.backends.base import Backend, Select, Tx
from os1.memory.base import MemoryItem


class Privacy:
    """``keep_private``."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def keep_private(self, memory_ids: Sequence[int], private: bool = True) -> list[MemoryItem]:
        """Mark these memories private (``private=False``: shared again), each with its saying,
        in one transaction; the memories changed, as they are now (none if none is there)."""
        async with self.backend.transaction(write=True) as tx:
            await tx.serialize("facts")  # a fact being drawn from one of them waits, then follows
            ids: dict[int, None] = {}
            for memory_id in memory_ids:
                ids.update(dict.fromkeys(await _saying(tx, memory_id)))
            if not ids:
                return []
            await tx.set_private(list(ids), private)
            return await tx.select(Select(ids=list(ids)))


async def _saying(tx: Tx, memory_id: int) -> list[int]:
    """The memory, the sentence a fact came from, and the facts drawn from that sentence."""
    found = await tx.select(Select(ids=[memory_id]))
    if not found:
        return []
    sentence = found[0].source_id if found[0].kind == "fact" and found[0].source_id else memory_id
    facts = await tx.select(Select(source_id=sentence))
    return [memory_id, *([sentence] if sentence != memory_id else []), *(f.id for f in facts)]
