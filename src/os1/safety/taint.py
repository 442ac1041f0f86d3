"""Taint tracking for one turn: which text the user gave, which came from outside, and whether an
argument value can be traced to the user.

A value is the user's when it occurs in what the user typed (this turn or earlier in the
conversation). Anything else (a recipient or URL seen only in a mail, or one the model made up)
is *foreign*: it can be used only after the user confirms that exact value.

A recalled memory or earlier turn taints the turn unless it is in the user's own words or is one
of os1's own replies (``os1.outside.from_outside``): an allow-list, so mail, posts and pages the user shared,
what os1 saw or heard, and any provenance added later all count as outside content.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from os1.outside import from_outside

if TYPE_CHECKING:
    from os1.memory.base import MemoryItem

Source = Literal["user", "outside", "model"]
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def normalise(value: str) -> str:
    """Case-folded, NFKC, invisible characters and surrounding space and brackets removed, so a
    look-alike written with zero-width characters or full-width letters compares equal."""
    text = unicodedata.normalize("NFKC", value)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc") or ch == "\n")
    text = text.casefold().strip().strip("<>\"' ")
    if text.startswith("mailto:"):
        text = text[len("mailto:"):]
    return re.sub(r"\s+", " ", text)


def emails_in(text: str) -> list[str]:
    return [normalise(m) for m in _EMAIL.findall(unicodedata.normalize("NFKC", text))]


@dataclass
class TurnTaint:
    """What one turn has read: the user's words (trusted) and outside text (untrusted)."""

    trusted: list[str] = field(default_factory=list)
    untrusted: list[str] = field(default_factory=list)

    @property
    def tainted(self) -> bool:
        """Whether this turn has read any outside content."""
        return bool(self.untrusted)

    def read_user(self, text: str) -> None:
        self.trusted.append(normalise(text))

    def read_outside(self, text: str) -> None:
        if text.strip():
            self.untrusted.append(normalise(text))

    def read_recalled(self, items: Iterable[MemoryItem]) -> None:
        """Memories recalled into the turn (or earlier turns shown with it): each one that is
        not the user's own words or os1's own reply is read as outside content."""
        for item in items:
            if from_outside(item):
                self.read_outside(item.text)

    def source_of(self, value: str) -> Source:
        """Where a value could have come from: the user's words win over outside text."""
        wanted = normalise(value)
        if not wanted:
            return "user"
        if _EMAIL.fullmatch(wanted):  # addresses compare whole, never as a substring
            if any(wanted in emails_in(said) for said in self.trusted):
                return "user"
            return "outside" if any(wanted in emails_in(seen) for seen in self.untrusted) else "model"
        if any(wanted in said for said in self.trusted):
            return "user"
        if any(wanted in seen for seen in self.untrusted):
            return "outside"
        return "model"

    def foreign(self, values: dict[str, str]) -> dict[str, Source]:
        """The sensitive values (by argument name) the user never gave."""
        found: dict[str, Source] = {}
        for name, value in values.items():
            for part in value_parts(value):
                source = self.source_of(part)
                if source != "user":
                    found[name] = source
        return found


def value_parts(value: str) -> list[str]:
    """A recipient list is checked address by address; anything else as a whole."""
    addresses = emails_in(value)
    return addresses if addresses else [value]
