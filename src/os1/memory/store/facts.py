"""Facts about the user: stored once, superseded by a newer value where a predicate holds one
value at a time, current again when they become true again."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Sequence

from os1.memory.backends.base import Backend, NewMemory, Select
from os1.memory.base import Embedder, FactDraft, MemoryItem
from os1.memory.embedding.passes import embed


def fact_hash(text: str) -> str:
    normal = " ".join(re.findall(r"\w+", text.lower()))
    return hashlib.sha256(normal.encode()).hexdigest()


class Facts:
    """``add_facts``."""

    def __init__(self, backend: Backend, embedder: Embedder) -> None:
        self.backend = backend
        self.embedder = embedder

    async def add_facts(self, drafts: Sequence[FactDraft], source_id: int | None,
                        exclusive: Callable[[str], bool] = lambda _: False) -> list[MemoryItem]:
        """Store new facts; a repeated fact is not stored twice, and a fact whose predicate is
        exclusive (one value at a time, like where someone lives) supersedes the old value.
        The store's fact writers take turns, so two at once leave one current value."""
        if not drafts:
            return []
        vectors = await embed(self.embedder, [d.text for d in drafts])
        added: list[int] = []
        now = time.time()
        async with self.backend.transaction(write=True) as tx:
            await tx.serialize("facts")
            for draft, vector in zip(drafts, vectors, strict=True):
                digest = fact_hash(draft.text)
                known = await tx.fact(digest)
                if known is not None and known[1] is None:
                    continue  # already known and current
                if exclusive(draft.predicate):
                    await tx.supersede(draft.subject, draft.predicate, now)
                if known is not None:  # true again ("I moved back to Lisbon"): current once more
                    await tx.revive(known[0])
                    continue
                added.append(await tx.insert(NewMemory(
                    "fact", draft.text, now, provenance=draft.provenance, source_id=source_id,
                    subject=draft.subject, predicate=draft.predicate, object=draft.object,
                    content_hash=digest)))
                await tx.put_vector(added[-1], vector)
            return await tx.select(Select(ids=added)) if added else []
