"""A letter asked for in plain words ("write a letter to Ana for her birthday"), answered with
the letter itself rather than a reply, so it works on any model, the bundled one included."""

from __future__ import annotations

import re
from dataclasses import dataclass

LETTER = re.compile(
    r"^\s*(?:(?:can|could|would|will)\s+you\s+|please\s+|let'?s\s+|i\s+(?:want|need|would\s+like)\s+to\s+)?"
    r"(?:help\s+me\s+)?(?:write|draft|compose)\s+(?:me\s+|us\s+)?(?:a|an)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:letter|note)\s+(?:to|for)\s+(?P<to>(?:my\s+\w+\s+)?[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?|my\s+\w+)"
    r"(?:\s*,?\s*(?:for|about|on|to\s+say|because\s+of)\s+(?P<occasion>.+?))?\s*(?:,?\s*please)?[\s.!?]*$",
    re.IGNORECASE)


@dataclass(frozen=True)
class LetterAsk:
    to: str
    occasion: str


def letter_request(text: str) -> LetterAsk | None:
    """The letter ``text`` asks os1 to write, or None if it asks for none."""
    match = LETTER.match(text)
    if match is None:
        return None
    to = re.sub(r"^my\s+\w+\s+(?=[A-Z])", "", match.group("to").strip())
    return LetterAsk(to, (match.group("occasion") or "").strip())
