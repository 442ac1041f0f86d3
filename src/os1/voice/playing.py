"""A game in progress during a spoken conversation (``os1 talk --game adventure``): what is said
goes down the same co-player path as a line typed at ``os1 play`` or in the web app's Play view
(``os1.games.session``). "What should I do?", "you go", "where is the lamp?" and moves like
"take the lamp" reach the game; words addressed to os1 by name ("Ada, ...", "os1, ...") are a
conversation turn as usual, and so is everything once the game is left ("quit").

Over the server's voice socket the game is the one open in the web app's Play view (an
``AtTable`` of the server's, kept after every move): the web client says ``{"type": "play",
"on": true}`` while the Play view shows a game and ``false`` when it leaves it, and ``PlayLink``
turns the voice's game lines on and off accordingly."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Protocol

from os1.games.intents import read_line
from os1.games.session import Answer
from os1.voice.speakable import Chunker, addressed

_SENTENCE = re.compile(r"(^|[.!?]\s+)([a-z])")


class AtTable(Protocol):
    """A game lines can be said at: a ``Playing``, or the server's Play-view game."""

    async def say(self, line: str) -> Answer: ...

    async def scene(self) -> str:
        """The game as it stands, for a conversation turn at the table (outside content)."""
        ...


class SharedTable(AtTable, Protocol):
    """A game open elsewhere (the web app's Play view), reached line by line."""

    async def opened(self) -> bool:
        """Whether a game is open now."""
        ...


class Seated(Protocol):
    play: AtTable | None  # the voice's game: its lines go there (the ``Reply`` stage)


class PlayLink:
    """The web client's ``{"type": "play", "on": bool}``: while on and a game is open, the
    voice's game lines go to ``table``; otherwise what is said is ordinary conversation.
    ``tell``: the client is told which (``{"type": "play", "on": bool}``)."""

    def __init__(self, table: SharedTable, reply: Seated, tell: Callable[[dict[str, Any]], None]) -> None:
        self.table = table
        self.reply = reply
        self.tell = tell

    async def control(self, message: dict[str, Any]) -> None:
        on = message.get("on") is True and await self.table.opened()
        self.reply.play = self.table if on else None
        self.tell({"type": "play", "on": on})


def for_the_game(play: AtTable | None, text: str, name: str) -> str | None:
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
