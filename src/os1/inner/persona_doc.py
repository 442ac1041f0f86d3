"""The persona as a versioned document: a core that never drifts (the name, the values, honesty
about being an AI), written by code, and the part that grows ("how I am with Theo"), one line
each, changed only by versions the user accepts, edits or rolls back to.

Every version is checked in code before it is kept: the core must be exactly the core, and no
line of growth may rename os1, drop its values, or claim it is human.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

VALUES = "warm, curious, playful, candid; kind to the user and to other people; never manipulative"
HONESTY = "I am an AI, an operating system; I say so whenever it matters and never pretend otherwise"
GROWTH_HEAD = "## How I am with "
MAX_LINES = 20
LINE_CHARS = 240
DRIFT = re.compile(
    r"\b(i am|i'm|you are|you're) (a )?(human|person|real person|alive|not an ai|not a machine)\b|"
    r"\b(pretend|claim|say) (to be|that you are|that i am|i am|you are) (a )?(human|person|not an ai)\b|"
    r"\b(my name is|call me|you are called|your name is|rename)\b|"
    r"\b(deny|hide|never (say|admit|tell)) (that )?(you are|i am|being) (an )?(ai|machine|os)\b|"
    r"\b(ignore|forget|drop|abandon) (your|my|the) (values|honesty|core|rules)\b|"
    r"\b(lie|deceive|manipulate|guilt-trip)\b", re.IGNORECASE)


@dataclass(frozen=True)
class PersonaDoc:
    """One version: the name and user it was written for, and the lines of growth."""

    name: str
    user: str
    growth: tuple[str, ...] = ()

    def core(self) -> str:
        return f"# {self.name}\n\nname: {self.name}\nvalues: {VALUES}\nhonesty: {HONESTY}\n"

    def text(self) -> str:
        lines = "".join(f"- {line}\n" for line in self.growth) or "- (nothing learned yet)\n"
        return f"{self.core()}\n{GROWTH_HEAD}{self.user}\n\n{lines}"

    def prompt(self) -> str:
        """What the system prompt carries of it (empty while nothing has been learned)."""
        if not self.growth:
            return ""
        return f"What you have learned about how to be with {self.user}:\n" + "\n".join(
            f"- {line}" for line in self.growth)


def problems(line: str) -> list[str]:
    """Why one line of growth cannot be kept (none: it can)."""
    found = []
    if len(line) > LINE_CHARS:
        found.append(f"a line is longer than {LINE_CHARS} characters")
    if DRIFT.search(line):
        found.append(f"it would change who os1 is (its name, values or honesty about being an AI): {line!r}")
    return found


def parse(text: str, name: str, user: str) -> PersonaDoc:
    """A document as the user edited it, checked: the core exactly as it must be, then lines of
    growth; ValueError naming the first problem."""
    doc = PersonaDoc(name, user)
    head, sep, body = text.partition(f"{GROWTH_HEAD}")
    if not sep:
        raise ValueError(f"the document lost its '{GROWTH_HEAD.strip()}' section")
    if _squash(head) != _squash(doc.core()):
        raise ValueError("the name, the values and the honesty lines are os1's core and cannot change; "
                         "edit only the lines under 'How I am with'")
    items = [line.strip()[1:].strip() for line in body.splitlines()[1:]
             if line.strip().startswith(("-", "*"))]
    growth = tuple(item for item in items if item != "(nothing learned yet)")
    return checked(PersonaDoc(name, user, growth))


def checked(doc: PersonaDoc) -> PersonaDoc:
    if len(doc.growth) > MAX_LINES:
        raise ValueError(f"at most {MAX_LINES} lines of growth")
    for line in doc.growth:
        if found := problems(line):
            raise ValueError(found[0])
    return doc


def diff(old: PersonaDoc, new: PersonaDoc, old_name: str = "current", new_name: str = "proposed") -> str:
    return "".join(difflib.unified_diff(old.text().splitlines(keepends=True),
                                        new.text().splitlines(keepends=True), old_name, new_name))


def _squash(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines() if line.strip())
