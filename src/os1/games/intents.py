"""What a line typed at the game table means: a move for the game, or something said to os1
(a request for a suggestion, "you go", a question about the map, save, quit, or a word with
os1 itself: "/say ..." or "os1, ..."). Decided by code,
never by a model, so the tiny model plays as well as a large one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Intent = Literal["move", "suggest", "take_turn", "map", "ask", "save", "quit", "help", "chat"]

_SUGGEST = re.compile(r"^(\?|hint|help me|suggest\w*|what (?:should|shall|do|can) (?:i|we) do\b.*|"
                      r"what now\??|"
                      r"any ideas?\??|what next\??|which way\??)$", re.I)
_TAKE = re.compile(r"^(you go|your (?:turn|move|go)|go ahead|you (?:play|choose|decide|move)|"
                   r"take a turn|play for me|over to you)[.!]?$", re.I)
_MAP = re.compile(r"^(map|the map|show (?:me )?the map|where are we\??|where have we been\??)$", re.I)
_CHAT = re.compile(r"^(?:/say\s+|os1[,:]\s*|@os1\s+)(.+)$", re.I)
_ASK = re.compile(r"^(where(?:'s| is| are| did)\b|how (?:do|can|would) (?:we|i|you) (?:get|go)\b)", re.I)


@dataclass(frozen=True)
class Said:
    intent: Intent
    text: str


def read_line(line: str) -> Said:
    """Classify one typed line; anything not addressed to os1 is a move for the game."""
    text = " ".join(line.split())
    if chat := _CHAT.match(text):  # "/say ...", "os1, ...": a word with os1 itself, not a move
        return Said("chat", chat.group(1))
    low = text.casefold().rstrip("!. ")
    if low in ("quit", "exit", "bye", "stop", "/quit", "/exit"):
        return Said("quit", text)
    if low in ("save", "/save"):
        return Said("save", text)
    if low in ("/help", "help os1"):
        return Said("help", text)
    if _SUGGEST.match(low):
        return Said("suggest", text)
    if _TAKE.match(low):
        return Said("take_turn", text)
    if _MAP.match(low):
        return Said("map", text)
    if _ASK.match(low):
        return Said("ask", text)
    return Said("move", text)
