"""The learning queue: what the background step after a turn owes, filled in. Memories without a
vector (a reply, deferred off the reply path; one cut off by a crash; one another model made)
and sentence vectors still missing, each memory's in one pass of the model; and the user's words
still to be mined for facts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from os1.memory.backends.base import Backend, Select, Tx
from os1.memory.base import Embedder, MemoryItem, Vectors
from os1.memory.embedding.passes import embed_rows
from os1.memory.ranking import CONTEXT_TURNS, Unembedded, speakers, unembedded, windows
from os1.memory.reembed import reporter


class Learning:
    """``embed_missing``, ``unlearned`` and ``mark_learned``."""

    def __init__(self, backend: Backend, embedder: Embedder) -> None:
        self.backend = backend
        self.embedder = embedder
        self._embedding = asyncio.Lock()  # one embed_missing at a time: no memory embedded twice

    async def catch_up(self) -> None:
        """At open: memories whose vectors another model made are embedded again, first."""
        async with self.backend.transaction(write=True) as tx:
            stale = await tx.mark_stale()
        if stale:
            await self.embed_missing(progress=reporter(stale, self.embedder.model_id))

    async def embed_missing(self, batch: int = 64, progress: Callable[[int], None] | None = None,
                            pieces_at_most: int | None = None) -> int:
        """Embed every memory without a vector, with its sentences in the same pass, then the
        sentences of memories still without theirs (about ``pieces_at_most`` of them, if given);
        the count of the first. ``progress`` is told the running count after each batch; the
        bound lets a long backfill spread over turns. A second call waits for the first (two
        turns' background steps), then finds what is left."""
        async with self._embedding:
            done = 0
            while rows := await self._waiting("embedded", batch):
                found = await embed_rows(self.embedder, rows)
                await self._put_vectors(rows, found)
                await self._put_pieces(rows, found)
                done += len(rows)
                if progress:
                    progress(done)
            pieced = 0
            while (pieces_at_most is None or pieced < pieces_at_most) and (
                    rows := await self._waiting("pieced", batch)):
                await self._put_pieces(rows, await embed_rows(self.embedder, rows))
                pieced += len(rows)
            return done

    async def _waiting(self, flag: str, batch: int) -> list[Unembedded]:
        """Up to ``batch`` memories still without their vector (``embedded``) or their
        sentences' (``pieced``), each with where its sentences lie."""
        async with self.backend.transaction() as tx:
            rows = await tx.pending("embedded" if flag == "embedded" else "pieced", batch)
            if not rows:
                return []
            names = speakers(await tx.profile())
            before, previous = await self._before(tx, [row[0] for row in rows])
        return windows([row.with_context(before.get(row.id, []), names.values())
                        for row in unembedded(rows, names)], previous)

    @staticmethod
    async def _before(tx: Tx, ids: list[int]) -> tuple[dict[int, list[str]], dict[int, int]]:
        """The texts of the turns said before each memory in its session (up to
        ``CONTEXT_TURNS``, oldest first), and the turn said just before each."""
        chain: dict[int, list[int]] = {i: [] for i in ids}
        last = {i: i for i in ids}
        for _ in range(CONTEXT_TURNS):
            if not last:
                break
            context = await tx.neighbours(sorted(set(last.values())))
            last = {i: p for i, at in last.items() if (p := context.before.get(at)) is not None}
            for i, p in last.items():
                chain[i].append(p)
        wanted = sorted({p for found in chain.values() for p in found})
        texts = {m.id: m.text for m in await tx.select(Select(ids=wanted))} if wanted else {}
        return ({i: [texts[p] for p in reversed(found) if p in texts] for i, found in chain.items()},
                {i: found[0] for i, found in chain.items() if found})

    async def _put_vectors(self, rows: list[Unembedded], found: list[Vectors]) -> None:
        """Store each memory's vector (the first row of each in ``found``) and gloss, and mark it
        embedded, unless it was edited or forgotten since its text was read."""
        async with self.backend.transaction(write=True) as tx:
            await tx.fill_vectors([(row.id, row.text, vectors[0], row.gloss)
                                   for row, vectors in zip(rows, found, strict=True)])

    async def _put_pieces(self, rows: list[Unembedded], found: list[Vectors]) -> None:
        """Store the piece vectors (rows after the first of each in ``found``) of the memories
        that were waiting for them and mark them pieced, unless edited or forgotten since their
        text was read (then the next pass embeds the new text)."""
        waiting = [(row.id, row.text, vectors[1:]) for row, vectors in zip(rows, found, strict=True)
                   if row.pieces is not None]
        if waiting:
            async with self.backend.transaction(write=True) as tx:
                await tx.fill_pieces(waiting)

    async def unlearned(self, limit: int = 50) -> list[MemoryItem]:
        """User utterances whose facts have not been extracted yet, oldest first."""
        async with self.backend.transaction() as tx:
            return await tx.select(Select(unlearned=True, limit=limit))

    async def mark_learned(self, memory_id: int) -> None:
        async with self.backend.transaction(write=True) as tx:
            await tx.settle("learned", memory_id)
