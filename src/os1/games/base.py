"""The ``Game`` seam: what any game os1 plays offers (start, act, save, load, describe), and the
``Screen`` it answers with. A new game is a class with these methods, registered by name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

MAX_COMMAND_CHARS = 200  # a game command is a few words; anything longer is refused


@dataclass(frozen=True)
class Place:
    """Where the player is: a stable key and a name to say."""

    key: str
    name: str


@dataclass(frozen=True)
class Screen:
    """What the game showed after a command, and what os1 could read from it."""

    text: str
    place: Place | None = None
    things: tuple[str, ...] = ()  # things lying here that could be taken
    exits: tuple[str, ...] = ()  # ways out the game itself says there are (may be incomplete)
    carried: tuple[str, ...] = ()
    dark: bool = False
    over: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    fitted: str = ""  # the command as the game took it, when a word it did not know became one it does


class Game(Protocol):
    """A game os1 plays with the user. Its saved form is plain JSON (no pickles): a seed and
    the moves made, so a save can travel in an export and be checked before it is loaded."""

    name: str  # "adventure", "story", "chess"
    title: str  # what to call it in words

    async def start(self) -> Screen: ...

    async def act(self, command: str) -> Screen: ...

    def save(self) -> dict[str, Any]: ...

    async def load(self, saved: dict[str, Any]) -> Screen: ...

    def describe(self) -> str: ...

    async def close(self) -> None: ...


def clean_command(text: str) -> str:
    """A command as the game should get it: one line of printable text, or an InputError."""
    from os1.errors import InputError

    line = " ".join(text.split())
    if not line:
        raise InputError("say a move: the command is empty")
    if len(line) > MAX_COMMAND_CHARS:
        raise InputError(f"the command is too long ({len(line)} characters; at most {MAX_COMMAND_CHARS})")
    if not line.isprintable():
        raise InputError("the command has characters a game cannot read")
    return line
