"""What the user keeps private never leaves by an outbound action (a mail, a message to another
agent) unless the user says it themself: an outbound action whose words repeat a private memory
the turn holds (recalled, or in its history) is refused, unless every word of it that it
repeats the user said in this turn. Read by code, whatever the model wrote."""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"[^\W\d_]{3,}")
_COMMON = frozenset(
    "the and but for with that this what when where who how you your yours she her hers him his "
    "they them their our ours are was were has have had not can could would should will been "
    "from into about just very also then than there here some any all one two its it's i'm "
    "i've my mine me we us said say says told tell keep private between secret".split())


def words(text: str) -> frozenset[str]:
    """The words of ``text`` that say something: three letters or more, not the commonest."""
    return frozenset(w.lower() for w in _WORD.findall(text)) - _COMMON


class Withheld:
    """The private memories of one turn, and the words the user said in it."""

    def __init__(self, private: Iterable[str] = (), said: str = "") -> None:
        self._private = [w for w in (words(t) for t in private) if w]
        self._said = words(said)

    def repeats(self, text: str) -> bool:
        """Whether ``text`` carries a private memory: two of its words (all, when it has
        fewer), one of them a word the user did not say in this turn."""
        sent = words(text)
        return any(sent & (held - self._said) and len(sent & held) >= min(2, len(held))
                   for held in self._private)
