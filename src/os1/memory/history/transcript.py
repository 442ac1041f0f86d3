"""Plain transcripts, one message a line, each with its time and speaker:

    [2026-11-03 09:30] me: I moved to Berlin last month.
    [2026-11-03 09:31] os1: How are you finding it?

The time is ISO 8601 (in brackets, or first on the line); a line without one is a minute after
the one before, and a line without a speaker continues the message before it. The user is the
speaker called ``me``, ``user``, ``I`` or ``human`` (or the name given); anyone else is os1. A
line ``---``, or a pause of more than six hours, starts a new conversation.
"""

from __future__ import annotations

import re

from os1.errors import InputError
from os1.memory.history.dates import parse_time
from os1.memory.history.said import Conversation, Role, Said

USER_NAMES = frozenset({"me", "user", "i", "human", "you (user)"})
NEW_CONVERSATION_AFTER = 6 * 3600.0
_LINE = re.compile(r"^\s*(?:\[(?P<bracketed>[^\]]+)\]|(?P<bare>\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d"
                   r"(?::\d\d)?(?:Z|[+-]\d\d:?\d\d)?)?))?\s*(?:(?P<who>[^:\[\]]{1,40}):\s)?(?P<text>.*)$")


def read_transcript(text: str, user: str | None = None, where: str = "the transcript") -> list[Conversation]:
    """The transcript's conversations, in order; an InputError naming the line at fault."""
    users = USER_NAMES | ({user.lower()} if user else set())
    conversations: list[list[Said]] = [[]]
    last: float | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() == "---":
            conversations.append([])
            continue
        if not line.strip():
            continue
        found = _LINE.match(line)
        if found is None:  # the pattern matches any line; kept for the type checker
            continue
        stamp = found["bracketed"] or found["bare"]
        at = _time(stamp, number, where) if stamp else (None if last is None else last + 60)
        who, words = found["who"], found["text"].strip()
        if who is None and stamp is None and conversations[-1]:
            conversations[-1][-1] = conversations[-1][-1].joined(words)
            continue
        if at is None:
            raise InputError(f"{where}: line {number}: the first message has no time")
        if last is not None and at - last > NEW_CONVERSATION_AFTER and conversations[-1]:
            conversations.append([])
        role: Role = "user" if (who or "me").strip().lower() in users else "assistant"
        if words:
            conversations[-1].append(Said(role, words, at))
        last = at
    return [Conversation(tuple(c)) for c in conversations if c]


def _time(stamp: str, number: int, where: str) -> float:
    try:
        return parse_time(stamp)
    except InputError as exc:
        raise InputError(f"{where}: line {number}: {exc}") from None

