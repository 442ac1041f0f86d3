"""Pure value types shared by every package: messages, tool specs and stream events.

Values carry no identity: a message becomes a stored turn with an id only inside the memory store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True)
class ToolCall:
    """A model's request to run one tool with JSON arguments."""

    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class Message:
    """One chat message. Assistant messages may carry tool calls; tool messages answer one."""

    role: Role
    content: str
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    name: str | None = None
    images: tuple[str, ...] = ()  # data: URLs shown with the text (user messages, vision models)


@dataclass(frozen=True)
class ToolSpec:
    """What a model sees of a tool: its name, what it does and a JSON schema of its arguments."""

    name: str
    description: str
    parameters: dict[str, Any]


@dataclass(frozen=True)
class Options:
    """Generation options every backend understands."""

    max_tokens: int = 512
    temperature: float = 0.7
    seed: int | None = None
    json_schema: dict[str, Any] | None = None  # constrain the reply to this JSON schema
    tool_choice: str | None = None  # None/"auto", "none", "required", or one tool's name


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True)
class TextDelta:
    """A piece of reply text, in order."""

    text: str


@dataclass(frozen=True)
class ToolCallEvent:
    """A complete tool call, emitted once its arguments are whole."""

    call: ToolCall


@dataclass(frozen=True)
class Finished:
    """The end of one model call."""

    reason: str = "stop"
    usage: Usage = field(default_factory=Usage)


StreamEvent = TextDelta | ToolCallEvent | Finished
