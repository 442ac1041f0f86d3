"""Requests in plain words that os1 answers with a deed rather than a reply, so they work on any
model, the bundled one included: "play me something about that evening" composes a piece, and so
does the terminal's command typed where there is no terminal (``/compose that evening`` in the web
app's chat)."""

from __future__ import annotations

import re

MUSIC = re.compile(
    r"^\s*(?:(?:can|could|would|will) you\s+|please\s+)?(?:play|compose|write|make)\s+(?:me\s+|us\s+)?"
    r"(?:something|a\s+(?:song|piece|tune|melody))"
    r"(?:\s+(?:about|for|from|of|like)\s+(?P<about>.+?))?\s*(?:,?\s*please)?[\s.!?]*$",
    re.IGNORECASE)
COMMAND = re.compile(r"^\s*/compose(?:\s+(?P<about>.+?))?\s*$", re.IGNORECASE | re.DOTALL)


def music_request(text: str) -> tuple[bool, str | None]:
    """Whether ``text`` asks os1 to play or compose something, and about what (None: the present)."""
    match = MUSIC.match(text) or COMMAND.match(text)
    if match is None:
        return False, None
    about = match.group("about")
    return True, about.strip() if about else None
