"""What a past conversation held: who said what, and when."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

Role = Literal["user", "assistant"]


@dataclass(frozen=True)
class Said:
    """One message of a past conversation, at a Unix time."""

    role: Role
    text: str
    at: float

    def joined(self, more: str) -> Said:
        """The message with a further line of it."""
        return replace(self, text=f"{self.text}\n{more}" if more else self.text)


@dataclass(frozen=True)
class Conversation:
    """A past conversation's messages, in order."""

    said: tuple[Said, ...]
    title: str = ""
