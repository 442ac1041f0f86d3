"""Moments kept: a memory with its kind, key, data and images, one transaction each (what a
moment is: ``os1.memory.moments``)."""

from __future__ import annotations

import time
from pathlib import Path

from os1.memory.backends.base import Backend, NewMemory, Select, Tx
from os1.memory.base import Embedder
from os1.memory.embedding.passes import embed
from os1.memory.moments import Moment, MomentDraft, doomed_files, dump, load


async def moment_files(tx: Tx, memory_id: int, folder: Path | None) -> set[Path]:
    """Inside the forgetting transaction: the files that go with moment ``memory_id``."""
    row = await tx.moment_row(memory_id)
    if row is None or folder is None:
        return set()
    others = [load(data) for data in await tx.pieces_data(memory_id)]
    return doomed_files(load(row[2]), others, folder)


async def _get(tx: Tx, memory_id: int) -> Moment | None:
    row = await tx.moment_row(memory_id)
    item = await tx.select(Select(ids=[memory_id]))
    if row is None or not item:
        return None
    images = await tx.moment_images(memory_id)
    return Moment(item[0], row[0], row[1], load(row[2]), tuple(h for h, _ in images),
                  tuple(load(seen) for _, seen in images))


class Moments:
    """``add_moment``, ``moment``, ``moments`` and ``image``."""

    def __init__(self, backend: Backend, embedder: Embedder) -> None:
        self.backend = backend
        self.embedder = embedder

    async def add_moment(self, draft: MomentDraft) -> tuple[Moment, bool]:
        """Store a moment with its images and vector, or add the images to the moment with the
        same key; True when the moment is new. All or nothing."""
        vector = (await embed(self.embedder, [draft.text]))[0]
        now = time.time()
        async with self.backend.transaction(write=True) as tx:
            await tx.serialize(draft.key)  # one writer per key at a time
            known = await tx.moment_of_key(draft.key)
            memory_id = known
            if memory_id is None:
                memory_id = await tx.insert(NewMemory("fact", draft.text, draft.created_at or now,
                                                      provenance=draft.provenance))
                await tx.put_vector(memory_id, vector)
                await tx.insert_moment(memory_id, draft.kind, draft.key, dump(draft.data))
            for image in draft.images:
                await tx.add_image(memory_id, image, dump(image.seen), now)
            moment = await _get(tx, memory_id)
        assert moment is not None
        return moment, known is None

    async def moment(self, memory_id: int) -> Moment | None:
        async with self.backend.transaction() as tx:
            return await _get(tx, memory_id)

    async def moments(self, kind: str | None = None, limit: int = 50, *,
                      key: str | None = None) -> list[Moment]:
        """Moments newest first, of one kind or all (or the one with ``key``)."""
        async with self.backend.transaction() as tx:
            found = [await _get(tx, i) for i in await tx.moment_ids(kind, key, limit)]
        return [m for m in found if m is not None]

    async def image(self, digest: str) -> tuple[str, bytes] | None:
        """An image's MIME type and bytes, by content hash."""
        async with self.backend.transaction() as tx:
            return await tx.image(digest)
