"""Passes of the embedder over memories: a turn said live (its vector and its sentences' in one
pass) and memories waiting for their vectors (each memory's whole and sentences in one pass)."""

from __future__ import annotations

import asyncio

from os1.memory.base import Embedder, Vectors
from os1.memory.ranking import Unembedded, live_pieces


async def embed(embedder: Embedder, texts: list[str]) -> Vectors:
    """The texts' vectors, off the event loop."""
    return await asyncio.to_thread(embedder.embed, texts)


async def embed_turn(embedder: Embedder, text: str) -> tuple[Vectors, Vectors | None]:
    """A turn said live: its vector and its sentences' from the same pass of the model (None
    when ``live_pieces`` leaves them to the background step)."""
    where = live_pieces(text)
    found = (await asyncio.to_thread(embedder.embed_pieces, [text], [where]))[0]
    return found[0], (found[1:] if where.spans else None)


async def embed_rows(embedder: Embedder, rows: list[Unembedded]) -> list[Vectors]:
    """Each memory's vector and, if it waits for them, its sentences' vectors after it."""
    texts, where = zip(*(r.to_embed() for r in rows), strict=True) if rows else ((), ())
    return await asyncio.to_thread(embedder.embed_pieces, list(texts), list(where))
