"""What a line asks for, if it asks for a deed: a piece of music, a letter, or mail and calendar
work a model without tools cannot do. Recognised by the skills' own patterns, without a model."""

from __future__ import annotations

from dataclasses import dataclass

from os1.letters.asking import LetterAsk, letter_request
from os1.mail.asking import skill_request
from os1.music.asking import music_request


@dataclass(frozen=True)
class MusicAsk:
    """"Play me something about that evening": ``about`` the moment (None: the present)."""

    about: str | None


@dataclass(frozen=True)
class ToolsAsk:
    """Mail, calendar or contacts work asked of a model that cannot call tools."""


Ask = MusicAsk | LetterAsk | ToolsAsk


def recognise(line: str, *, tools: bool) -> Ask | None:
    """The deed ``line`` asks for, or None for an ordinary turn; ``tools``: whether the model
    can call tools (then mail and calendar requests are its to answer)."""
    asked, about = music_request(line)
    if asked:
        return MusicAsk(about)
    letter = letter_request(line)
    if letter is not None:
        return letter
    if not tools and skill_request(line):
        return ToolsAsk()
    return None
