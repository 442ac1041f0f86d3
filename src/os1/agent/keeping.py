"""The user asking, in plain words, to keep something between them and os1 ("keep that between
us", "that's private"). Read by code, not the model: the turn marks the memory private
(``roles.Curation.keep_private``) whatever the model would make of the words."""

from __future__ import annotations

import re
from dataclasses import dataclass

_THAT = r"(?:that|this|it)"
_ASK = re.compile(
    rf"\b(?:(?:please\s+)?keep\s+{_THAT}\s+(?:between\s+(?:us|you\s+and\s+me|the\s+two\s+of\s+us)"
    rf"|private|to\s+yourself|secret|a\s+secret)"
    rf"|{_THAT}(?:'s|’s|\s+is)\s+(?:private|between\s+us|a\s+secret|just\s+between\s+us)"
    r"|(?:just\s+)?between\s+you\s+and\s+me"
    r"|don'?t\s+tell\s+(?:anyone|anybody|a\s+soul))\b"
    r"(?=\s*(?:[.,!?;:)]|$|(?:please|ok|okay|alright|too|though)\b))",  # a clause of its own
    re.IGNORECASE)
_FILLER = frozenset("please ok okay just but and so oh by the way btw also alright right yeah though "
                    "really only".split())


@dataclass(frozen=True)
class PrivateAsk:
    """The user asks to keep something private; ``alone``: the message says nothing else, so
    it means what they said just before."""

    alone: bool


def private_ask(text: str) -> PrivateAsk | None:
    """The ask in ``text``, or None when it makes none."""
    if _ASK.search(text) is None:
        return None
    rest = [w for w in re.findall(r"[\w']+", _ASK.sub(" ", text).lower()) if w not in _FILLER]
    return PrivateAsk(alone=len(rest) <= 1)
