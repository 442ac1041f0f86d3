"""Deterministic fakes of the model and embedder seams."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence

from os1.memory.embedding.hashing import HashEmbedder
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


FakeEmbedder = HashEmbedder  # the ``hash`` embedder under its test name
