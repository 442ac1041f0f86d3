"""The journal never quotes outside content (mail, shared pages, posts) word for word.

A line is a quotation when it shares a run of ``RUN`` words with any outside text, compared
case-insensitively and ignoring punctuation. Checked in code on every line, whichever way the
entry was written (rules or a model), so no prompt can talk it out of the rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

RUN = 6  # words in a row shared with outside content make a line a quotation
_WORD = re.compile(r"[\w']+")


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def runs(text: str, n: int = RUN) -> set[tuple[str, ...]]:
    """Every run of ``n`` consecutive words in ``text``."""
    found = words(text)
    return {tuple(found[i:i + n]) for i in range(len(found) - n + 1)}


class Outside:
    """The outside texts one entry must not quote, as their runs of words."""

    def __init__(self, texts: Iterable[str], n: int = RUN) -> None:
        self.n = n
        self._runs: set[tuple[str, ...]] = set()
        for text in texts:
            self._runs |= runs(text, n)

    def quotes(self, line: str) -> bool:
        """Whether ``line`` repeats ``n`` words in a row of outside content."""
        return not self._runs.isdisjoint(runs(line, self.n))

    def keep(self, lines: Sequence[str]) -> list[str]:
        """The lines that quote nothing from outside."""
        return [line for line in lines if not self.quotes(line)]
