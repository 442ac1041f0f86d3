"""What a store's background step owes, filled in: the vectors of memories without one and the
sentence vectors of memories of several sentences, each memory's in one pass of the model. Both
stores use it; they differ only in how they read and write rows."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Literal

from os1.memory.base import Embedder, Pieces, Vectors
from os1.memory.ranking import Unembedded, live_pieces

Flag = Literal["embedded", "pieced"]
Read = Callable[[Flag, int], Awaitable[list[Unembedded]]]  # up to n memories whose flag is unset
Write = Callable[[list[Unembedded], list[Vectors]], Awaitable[None]]


async def embed_turn(embedder: Embedder, text: str) -> tuple[Vectors, Vectors | None]:
    """A turn said live: its vector and its sentences' from the same pass of the model (None
    when ``live_pieces`` leaves them to the background step)."""
    where = live_pieces(text)
    found = (await asyncio.to_thread(embedder.embed_pieces, [text], [where]))[0]
    return found[0], (found[1:] if where.spans else None)


async def embed_rows(embedder: Embedder, rows: list[Unembedded]) -> list[Vectors]:
    """Each memory's vector and, if it waits for them, its sentences' vectors after it."""
    return await asyncio.to_thread(embedder.embed_pieces, [r.text for r in rows],
                                   [r.pieces or Pieces() for r in rows])


async def fill(read: Read, embedder: Embedder, put_vectors: Write, put_pieces: Write, *, batch: int,
               progress: Callable[[int], None] | None, pieces_at_most: int | None) -> int:
    """Embed every memory without a vector, with its sentences in the same pass, then the
    sentences of memories still without theirs (about ``pieces_at_most`` of them, if given);
    the count of the first. ``progress`` is told the running count after each batch; the bound
    lets a long backfill spread over turns."""
    done = 0
    while rows := await read("embedded", batch):
        found = await embed_rows(embedder, rows)
        await put_vectors(rows, found)
        await put_pieces(rows, found)
        done += len(rows)
        if progress:
            progress(done)
    pieced = 0
    while (pieces_at_most is None or pieced < pieces_at_most) and (rows := await read("pieced", batch)):
        await put_pieces(rows, await embed_rows(embedder, rows))
        pieced += len(rows)
    return done
