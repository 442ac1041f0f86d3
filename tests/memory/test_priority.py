"""The shared embedder serves a turn's own embedding before other people's background work."""

from __future__ import annotations

import asyncio
import threading
import time

import numpy as np

from os1.memory.base import Vectors
from os1.memory.priority import PriorityEmbedder, background


class GatedEmbedder:
    """Records the order of calls; the first call blocks until released."""

    model_id = "gated"
    dim = 2

    def __init__(self) -> None:
        self.order: list[str] = []
        self.started = threading.Event()
        self.release = threading.Event()

    def embed(self, texts: list[str]) -> Vectors:
        self.order.append(texts[0])
        if len(self.order) == 1:
            self.started.set()
            self.release.wait(5)
        return np.zeros((len(texts), self.dim), dtype=np.float32)


async def embed_later(embedder: PriorityEmbedder, text: str, *, low: bool) -> None:
    if low:
        with background():
            await asyncio.to_thread(embedder.embed, [text])
    else:
        await asyncio.to_thread(embedder.embed, [text])


async def test_urgent_calls_overtake_background_ones() -> None:
    inner = GatedEmbedder()
    embedder = PriorityEmbedder(inner)
    first = asyncio.create_task(embed_later(embedder, "busy", low=True))
    await asyncio.to_thread(inner.started.wait, 5)
    queued = [asyncio.create_task(embed_later(embedder, f"reply {n}", low=True)) for n in range(3)]
    await asyncio.sleep(0.05)  # the background calls are waiting first
    urgent = asyncio.create_task(embed_later(embedder, "the user's words", low=False))
    await asyncio.sleep(0.05)
    inner.release.set()
    await asyncio.gather(first, urgent, *queued)
    assert inner.order[:2] == ["busy", "the user's words"]
    assert sorted(inner.order[2:]) == ["reply 0", "reply 1", "reply 2"]


def test_background_mark_is_scoped() -> None:
    inner = GatedEmbedder()
    inner.release.set()
    embedder = PriorityEmbedder(inner)
    with background():
        embedder.embed(["low"])
    start = time.monotonic()
    embedder.embed(["high"])  # nothing waits: the mark ended with its block
    assert time.monotonic() - start < 1
    assert inner.order == ["low", "high"] and embedder.model_id == "gated" and embedder.dim == 2
