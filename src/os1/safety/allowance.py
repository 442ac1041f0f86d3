"""An allowance: the user lets a named agent receive a stated kind of thing for one conversation
only, and each message inside it still passes this check, in code, whatever the model wrote.

A message is compared with what its turn drew on, by where each piece came from (``Drawn``). It
is beyond the kind when it repeats a source the kind does not cover: two of the source's words
(all, when it has fewer) that the user did not say in what the kind lets through and that the
agent itself did not say in this conversation (echoing its own words back leaks nothing, but they
never excuse a memory: an agent that guesses at one learns nothing from a held message). An
address, number or link the user did not type is another person's details, or outside content's:
never inside any kind. Nothing private, and nothing from outside content, is inside any kind.

- ``questions``: the user's own words of this request, and nothing else of theirs;
- ``opinions``: also what the user said earlier in this conversation (their views on the topic);
- ``about_me``: also what os1 remembers of the user, only when the user states this kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

from os1.safety.privacy import words
from os1.safety.taint import emails_in, normalise

Kind = Literal["questions", "opinions", "about_me"]
KINDS: dict[Kind, str] = {
    "questions": "my questions (my own words and questions only)",
    "opinions": "my opinions on the topic (also what I said earlier in this conversation)",
    "about_me": "facts about me (also what os1 remembers of me, never anything private)",
}
_ASKING = words("think thinks thought wonder wonders wondering know knows like likes feel feels ask asks "
                "asked asking question questions hello hi hey dear hope")  # how any question is put
_DETAILS = re.compile(r"https?://\S+|www\.\S+|\+?\d[\d ()./-]{5,}\d")


def kind_of(text: str) -> Kind | None:
    """A kind by its name (``about-me`` and ``about_me`` alike), or None."""
    name = text.strip().lower().replace("-", "_")
    return name if name in get_args(Kind) else None  # type: ignore[return-value]


@dataclass(frozen=True)
class Drawn:
    """What an outgoing message could draw on, by where it came from."""

    asked: str = ""  # the user's own words of this request
    earlier: tuple[str, ...] = ()  # the user's own earlier words in this conversation
    memories: tuple[str, ...] = ()  # what os1 remembers or said of the user
    private: tuple[str, ...] = ()  # what the user keeps private
    outside: tuple[str, ...] = ()  # outside content: mail, pages, shared things, other agents

    def __add__(self, other: Drawn) -> Drawn:
        return Drawn(f"{self.asked}\n{other.asked}".strip(), self.earlier + other.earlier,
                     self.memories + other.memories, self.private + other.private,
                     self.outside + other.outside)


def beyond(kind: Kind, text: str, drawn: Drawn, heard: tuple[str, ...] = ()) -> str:
    """Why ``text`` carries something outside ``kind`` (one line), or "" when it does not;
    ``heard``: what the agent itself said in this conversation."""
    sent = words(text)
    let = words(drawn.asked) | _ASKING
    if kind != "questions":
        let |= words(" ".join(drawn.earlier))
    echoed = let | words(" ".join(heard))  # the agent's own words, back to it, are no leak
    checks: list[tuple[tuple[str, ...], frozenset[str], str]] = [
        (drawn.private, let, "it repeats something you keep private"),
        (drawn.outside, echoed, "it repeats outside content (mail, a page, something shared, another agent)"),
    ]
    if kind == "questions":
        checks.append((drawn.earlier, let, "it repeats what you said earlier, not only your question"))
    if kind != "about_me":
        checks.append((drawn.memories, let, "it repeats what os1 remembers about you"))
    for sources, said, why in checks:
        if any(_repeats(sent, words(source), said) for source in sources):
            return why
    return _details(text, drawn.asked)


def _repeats(sent: frozenset[str], source: frozenset[str], let: frozenset[str]) -> bool:
    carried = (sent & source) - let
    return bool(carried) and len(carried) >= min(2, len(source - let))


def _details(text: str, asked: str) -> str:
    """An address, number or link in ``text`` that the user did not type in this request."""
    typed = normalise(asked)
    for found in [*emails_in(text), *(normalise(m) for m in _DETAILS.findall(text))]:
        if found not in typed:
            return f"it carries {found}, which you did not give (someone's details?)"
    return ""
