"""A journal entry: what os1 noticed in a conversation, what it is curious about, and what it
wants to ask next time; rendered as the words of one memory, kept with its parts as data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

How = Literal["rules", "model"]
MAX_LINES = 3  # per part of an entry
LINE_CHARS = 200


@dataclass(frozen=True)
class Entry:
    """One entry before it is stored: its parts, the conversation and the memories it is about,
    and how it was written (``rules`` on a small model, ``model`` on a capable one)."""

    session_id: int
    noticed: tuple[str, ...]
    curious: tuple[str, ...] = ()
    ask_next: tuple[str, ...] = ()
    sources: tuple[int, ...] = ()  # the memory ids it was drawn from
    how: How = "rules"
    mood: str = ""  # the mood at the time, in words
    day: str = field(default="")  # the conversation's day, YYYY-MM-DD

    @property
    def key(self) -> str:
        return journal_key(self.session_id)

    def text(self) -> str:
        """The entry as os1 writes it, in its own voice."""
        head = f"My journal, after our conversation{' of ' + self.day if self.day else ''}:"
        parts = [head]
        parts += [f"I noticed {_lower_first(line)}" for line in self.noticed]
        parts += [f"I am curious about {_lower_first(line)}" for line in self.curious]
        parts += [f"Next time I want to ask {_lower_first(line)}" for line in self.ask_next]
        if self.mood:
            parts.append(f"My mood: {self.mood}.")
        return " ".join(_sentence(p) for p in parts)

    def data(self) -> dict[str, Any]:
        """What is kept beside the words: where the entry came from, never its content (the
        words are the memory's text alone, so an edit or a forget leaves no copy behind)."""
        return {"session_id": self.session_id, "sources": list(self.sources), "how": self.how,
                "day": self.day}

    def empty(self) -> bool:
        return not (self.noticed or self.curious or self.ask_next)


def journal_key(session_id: int) -> str:
    """One entry per conversation: its moment key."""
    return f"journal:{session_id}"


def day_of(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).astimezone().strftime("%Y-%m-%d")


def clip(lines: list[str]) -> tuple[str, ...]:
    """At most ``MAX_LINES`` distinct, non-empty lines of at most ``LINE_CHARS`` characters."""
    kept: list[str] = []
    for line in lines:
        line = " ".join(line.split())[:LINE_CHARS].strip()
        if line and line.lower() not in {k.lower() for k in kept}:
            kept.append(line)
    return tuple(kept[:MAX_LINES])


_COMMON_OPENERS = {"the", "you", "your", "how", "what", "why", "whether", "that", "a", "an", "about"}


def _lower_first(line: str) -> str:
    """Lower-case a line's first word when it is a common word (never a name)."""
    first = line.split(" ", 1)[0]
    return line[:1].lower() + line[1:] if first.lower() in _COMMON_OPENERS else line


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!", ":")) else text + "."
