"""Deterministic fakes of the model and embedder seams."""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator, Sequence

import numpy as np

from os1.memory.base import Pieces, Vectors
from os1.types import (
    Finished,
    Message,
    Options,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallEvent,
    ToolSpec,
)

Reply = str | ToolCall | list[str | ToolCall]


class ScriptedLLM:
    """Replies from a queue, recording every call in ``history`` (like llm's MockModel).

    A string reply streams word by word; a ``ToolCall`` becomes a tool-call event. When the queue
    is empty it answers ``default``.
    """

    model_id = "scripted"

    def __init__(self, *replies: Reply, default: str = "I'm here.") -> None:
        self.queue: list[Reply] = list(replies)
        self.default = default
        self.history: list[tuple[list[Message], list[ToolSpec], Options | None]] = []

    def enqueue(self, *replies: Reply) -> None:
        self.queue.extend(replies)

    async def check(self) -> str:
        return "scripted"

    async def aclose(self) -> None:
        return None

    async def stream(self, messages: Sequence[Message], *, tools: Sequence[ToolSpec] = (),
                     options: Options | None = None) -> AsyncIterator[StreamEvent]:
        self.history.append((list(messages), list(tools), options))
        reply = self.queue.pop(0) if self.queue else self.default
        for part in reply if isinstance(reply, list) else [reply]:
            if isinstance(part, ToolCall):
                yield ToolCallEvent(part)
            else:
                for piece in re.findall(r"\S+\s*|\s+", part):
                    yield TextDelta(piece)
        yield Finished()


class FakeEmbedder:
    """Feature hashing of words and word stems: similar wording gives similar vectors."""

    model_id = "fake-hash-64"
    dim = 64

    def embed(self, texts: list[str]) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                for feature in (word, word[:5]):
                    h = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=4).digest())
                    out[row, h % self.dim] += 1.0 if h & 1 << 31 else -1.0
            norm = float(np.linalg.norm(out[row]))
            if norm:
                out[row] /= norm
        return out

    def embed_pieces(self, texts: list[str], pieces: list[Pieces]) -> list[Vectors]:
        """Each text and each piece (after its lead) hashed on its own."""
        return [self.embed([text, *(f"{text[: where.lead]} {text[a:b]}" for a, b in where.spans)])
                for text, where in zip(texts, pieces, strict=True)]
