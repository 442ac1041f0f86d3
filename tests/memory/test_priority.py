"""The shared embedder serves a turn's own embedding before other people's background work."""

from __future__ import annotations

import asyncio
import contextvars
import threading

import numpy as np

from os1.memory.base import Vectors
from os1.memory.embedding.priority import PriorityEmbedder, background
from tests.conftest import HANG_S, eventually, wait_until


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
            assert self.release.wait(HANG_S), "the first call was never released"
        return np.zeros((len(texts), self.dim), dtype=np.float32)


def waiting(embedder: PriorityEmbedder) -> tuple[int, int]:
    """Calls waiting for their turn: (urgent, background). The background ones are the threads
    parked on the background condition (CPython keeps them in ``_waiters``)."""
    return embedder._urgent, len(embedder._background_turn._waiters)  # type: ignore[attr-defined]


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
    assert await asyncio.to_thread(inner.started.wait, HANG_S)
    queued = [asyncio.create_task(embed_later(embedder, f"reply {n}", low=True)) for n in range(3)]
    await eventually(lambda: waiting(embedder) == (0, 3), "the background calls to wait")
    urgent = asyncio.create_task(embed_later(embedder, "the user's words", low=False))
    await eventually(lambda: waiting(embedder) == (1, 3), "the urgent call to wait behind them")
    assert inner.order == ["busy"]  # nothing got past the call in progress
    inner.release.set()
    await asyncio.gather(first, urgent, *queued)
    assert inner.order[:2] == ["busy", "the user's words"]
    assert sorted(inner.order[2:]) == ["reply 0", "reply 1", "reply 2"]
    assert waiting(embedder) == (0, 0)


def test_background_mark_is_scoped() -> None:
    """A call made after a ``background()`` block ends is urgent again: it is counted as urgent
    while it waits, and it overtakes a background call that was waiting before it."""
    inner = GatedEmbedder()
    embedder = PriorityEmbedder(inner)
    busy = threading.Thread(target=embedder.embed, args=(["busy"],))
    busy.start()
    assert inner.started.wait(HANG_S)
    with background():  # the mark is in this context: a thread run in a copy of it carries it
        low = threading.Thread(target=contextvars.copy_context().run, args=(embedder.embed, ["low"]))
    low.start()
    wait_until(lambda: waiting(embedder) == (0, 1), "the background call to wait")
    high = threading.Thread(target=contextvars.copy_context().run, args=(embedder.embed, ["high"]))
    high.start()
    wait_until(lambda: sum(waiting(embedder)) == 2, "the call after the block to wait")
    assert waiting(embedder) == (1, 1)  # urgent: the mark ended with its block
    inner.release.set()
    for thread in (busy, low, high):
        thread.join(HANG_S)
        assert not thread.is_alive()
    assert inner.order == ["busy", "high", "low"]
    assert embedder.model_id == "gated" and embedder.dim == 2
