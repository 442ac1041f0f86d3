"""A game in progress during a spoken conversation (``os1 talk --game adventure``): what is said
goes down the same co-player path as a line typed at ``os1 play`` or in the web app's Play view
(``os1.games.session``). "What should I do?", "you go", "where is the lamp?" and moves like
"take the lamp" reach the game; words addressed to os1 by name ("Ada, ...", "os1, ...") are a
conversation turn as usual, and so is everything once the game is left ("quit")."""

from __future__ import annotations

import re

from os1.games.intents import read_line
from os1.games.session import Answer, Playing
from os1.voice.speakable import Chunker, addressed

_SENTENCE = re.compile(r"(^|[.!?]\s+)([a-z])")


def for_the_game(play: Playing | None, text: str, name: str) -> str | None:
    """The line for the game, or None when the words are for os1 itself (or no game is open)."""
    if play is None or addressed(text, name) is not None:
        return None
    return None if read_line(text).intent == "chat" else text


def to_os1(text: str, name: str) -> str:
    """Words addressed to os1 at the table, without the address ("os1, how are you" → "how are you")."""
    request = addressed(text, name)
    if request:
        return request
    said = read_line(text)
    return said.text if said.intent == "chat" else text


def spoken(answer: Answer) -> list[str]:
    """The answer as speakable pieces; the cave's capitals in sentence case, so they are read as words."""
    screen = answer.screen
    if screen.isupper():
        screen = _SENTENCE.sub(lambda m: m.group(1) + m.group(2).upper(), screen.lower())
    if answer.quit:
        words = "All right, I've kept the game for later."
    else:
        words = Answer(said=answer.said, screen=screen, reply=answer.reply, error=answer.error).spoken()
    chunker = Chunker()
    return [*chunker.feed(" ".join(words.split())), *chunker.flush()] or ["Done."]
