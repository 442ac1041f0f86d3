"""Embedding in order of urgency.

A turn embeds the user's words before the model can start (the reply waits on it), while the
reply's vector and learned facts are embedded after the reply, in the background. On a server,
one embedder serves every user, so without an order a person's turn could wait behind several
other people's background work. :class:`PriorityEmbedder` runs one embedding at a time and lets
urgent calls go first: background calls, marked with :func:`background`, wait while any urgent
call is waiting.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from os1.memory.base import Embedder, Pieces, Vectors

_BACKGROUND: ContextVar[bool] = ContextVar("os1_background_work", default=False)


@contextmanager
def background() -> Iterator[None]:
    """Mark the embeddings made inside as background work. The mark follows the context into
    tasks created and threads started (``asyncio.to_thread``) within."""
    token = _BACKGROUND.set(True)
    try:
        yield
    finally:
        _BACKGROUND.reset(token)


class PriorityEmbedder:
    """Another embedder, one call at a time, urgent calls before background ones. Each release
    wakes one waiter (an urgent one if any): a server may have dozens of threads waiting here,
    and waking them all to find one winner costs more than the embedding."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self._lock = threading.Lock()
        self._urgent_turn = threading.Condition(self._lock)
        self._background_turn = threading.Condition(self._lock)
        self._busy = False
        self._urgent = 0  # urgent calls waiting for their turn

    def embed(self, texts: list[str]) -> Vectors:
        with self._turn():
            return self.inner.embed(texts)

    def embed_pieces(self, texts: list[str], pieces: list[Pieces]) -> list[Vectors]:
        with self._turn():
            return self.inner.embed_pieces(texts, pieces)

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """This thread's turn at the inner embedder, in order of urgency."""
        self._wait(urgent=not _BACKGROUND.get())
        try:
            yield
        finally:
            with self._lock:
                self._busy = False
                (self._urgent_turn if self._urgent else self._background_turn).notify()

    def _wait(self, *, urgent: bool) -> None:
        with self._lock:
            if urgent:
                self._urgent += 1
                try:
                    self._urgent_turn.wait_for(lambda: not self._busy)
                finally:
                    self._urgent -= 1
            else:
                self._background_turn.wait_for(lambda: not self._busy and not self._urgent)
            self._busy = True
