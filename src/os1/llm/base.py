"""The chat-model seam: messages and tools in, an async stream of typed events out.

Backends only yield events; callers that want the whole reply use ``complete``. Every backend
maps its own failures to ``os1.errors.LLMError`` subclasses at the boundary.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Protocol, runtime_checkable

from os1.types import Message, Options, StreamEvent, TextDelta, ToolCall, ToolCallEvent, ToolSpec


@runtime_checkable
class ChatModel(Protocol):
    """A streaming chat model."""

    model_id: str

    def stream(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[ToolSpec] = (),
        options: Options | None = None,
    ) -> AsyncIterator[StreamEvent]:
        """Yield text deltas and tool calls, then one ``Finished``."""
        ...

    async def check(self) -> str:
        """Prove the model can be used (load it or reach its server); return a short status."""
        ...

    async def aclose(self) -> None:
        """Release the model's resources."""
        ...


async def complete(
    model: ChatModel,
    messages: Sequence[Message],
    *,
    tools: Sequence[ToolSpec] = (),
    options: Options | None = None,
) -> tuple[str, list[ToolCall]]:
    """Drain one model call into its text and tool calls."""
    parts: list[str] = []
    calls: list[ToolCall] = []
    async for event in model.stream(messages, tools=tools, options=options):
        if isinstance(event, TextDelta):
            parts.append(event.text)
        elif isinstance(event, ToolCallEvent):
            calls.append(event.call)
    return "".join(parts), calls
