"""What a turn yields, in order: what it recalled, reply text, tool activity, and the end."""

from __future__ import annotations

from dataclasses import dataclass

from os1.memory.base import MemoryItem
from os1.types import TextDelta, ToolCall


@dataclass(frozen=True)
class Recalled:
    """The memories placed in this turn's context."""

    memories: tuple[MemoryItem, ...]


@dataclass(frozen=True)
class ToolActivity:
    call: ToolCall
    result: str


@dataclass(frozen=True)
class ConfirmationNeeded:
    """A side effect the model asked for, held until the user answers yes (or no)."""

    action_id: int
    tool: str
    preview: str
    reasons: tuple[str, ...]
    foreign: dict[str, str]


@dataclass(frozen=True)
class TurnDone:
    user_id: int
    reply_id: int | None
    reply: str
    interrupted: bool = False


TurnEvent = Recalled | TextDelta | ToolActivity | ConfirmationNeeded | TurnDone
