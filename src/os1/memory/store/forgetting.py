"""Forgetting and editing: a memory goes with its vectors, its word index entry, the facts drawn
from it and a composed piece's files, and its session's summary is rebuilt without it, in one
transaction; ``compact`` then leaves no trace of it where the backend can promise that."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from os1.errors import MemoryStoreError
from os1.memory.backends.base import Backend, Select, Tx
from os1.memory.base import Embedder, MemoryItem
from os1.memory.embedding.passes import embed
from os1.memory.moments import remove_files
from os1.memory.ranking import CONTEXT_CHARS, WINDOW_CHARS, sentences
from os1.memory.store.facts import fact_hash
from os1.memory.store.moments import moment_files
from os1.memory.store.summaries import rebuild


class Forgetting:
    """``forget``, ``edit`` and ``compact``."""

    def __init__(self, backend: Backend, embedder: Embedder) -> None:
        self.backend = backend
        self.embedder = embedder

    async def forget(self, memory_id: int) -> bool:
        """Delete a memory, its vectors, its word index entry and every fact derived from it,
        and rebuild its session's summary without it, in one transaction; a composed piece's
        files go too, once the deletion has committed."""
        return await self.forget_all([memory_id]) > 0

    async def forget_all(self, memory_ids: Sequence[int]) -> int:
        """``forget`` for several memories in one transaction; how many of them were there."""
        files: set[Path] = set()
        sessions: set[int] = set()
        async with self.backend.transaction(write=True) as tx:
            present = [m.id for m in await tx.select(Select(ids=list(dict.fromkeys(memory_ids))))]
            read_beside = await within_reach(tx, present)
            for memory_id in present:  # one may go with another (a fact with its sentence)
                files |= await moment_files(tx, memory_id, self.backend.files_dir)
                _, session = await tx.delete(memory_id)
                if session is not None:
                    sessions.add(session)
            for session in sorted(sessions):
                await rebuild(tx, session)
            if read_beside:
                await tx.unembed(sorted(read_beside))  # their vectors were read beside the forgotten words
        remove_files(files)
        return len(present)

    async def edit(self, memory_id: int, text: str, *, status: str | None = None) -> MemoryItem | None:
        """Replace a memory's text (its word index and vector follow), and its status if given;
        None if there is none."""
        text = text.strip()
        if not text:
            raise MemoryStoreError("a memory cannot be empty; use forget to remove it")
        vector = (await embed(self.embedder, [text]))[0]
        async with self.backend.transaction(write=True) as tx:
            # a fact's structured object no longer matches the new words: the text rules;
            # the old pieces go at once, the new text's are embedded by embed_missing
            read_beside = await within_reach(tx, [memory_id])
            if not await tx.rewrite(memory_id, text, fact_hash(text), status, not sentences(text)):
                return None
            if read_beside:
                await tx.unembed(sorted(read_beside))  # read beside the old words
            await tx.drop_pieces(memory_id)
            await tx.put_vector(memory_id, vector)
            edited = (await tx.select(Select(ids=[memory_id])))[0]
            if edited.session_id is not None and edited.kind == "utterance":
                await rebuild(tx, edited.session_id)  # the old words may be quoted there
        return edited

    async def compact(self) -> None:
        await self.backend.compact()


async def within_reach(tx: Tx, memory_ids: Sequence[int]) -> set[int]:
    """The turns of the same sessions whose vectors may have been read beside these turns'
    words: a turn is embedded in one pass with the turns around it (``ranking.windows``), so
    its neighbours up to a window and a context's worth of characters on either side."""
    reach = WINDOW_CHARS + CONTEXT_CHARS
    found: set[int] = set()
    for side in ("before", "after"):
        ends = {m: m for m in memory_ids}
        covered = dict.fromkeys(memory_ids, 0)
        while ends:
            context = await tx.neighbours(sorted(set(ends.values())))
            step = {m: n for m, at in ends.items()
                    if (n := getattr(context, side).get(at)) is not None and n not in found}
            texts = {i.id: i.text for i in await tx.select(Select(ids=sorted(set(step.values()))))}
            found |= set(step.values())
            for m, n in step.items():
                covered[m] += len(texts.get(n, "")) + 1
            ends = {m: n for m, n in step.items() if covered[m] < reach}
    return found - set(memory_ids)

