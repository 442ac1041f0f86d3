"""Proofreading that runs offline: spelling from Debian's hunspell en_US dictionary through
pyenchant, and a few grammar rules (doubled words, a/an, a lone lower-case "i", sentence
capitals, spacing, "could of"). Each change carries its place and its reason, so the user can
accept them one by one; nothing is changed without being listed."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_WORD = re.compile(r"(?<![\w@/.])[A-Za-z][a-z]*(?:['’][a-z]+)?(?![\w@/])")
_AN_EXCEPTIONS = re.compile(r"^(?:u[bcdfghjklmnpqrstvwxyz][aeiou]|eu|one|once|us[aeiou]|ur[aeiou])",
                            re.IGNORECASE)
_A_EXCEPTIONS = re.compile(r"^(?:hour|honest|honou?r|heir)", re.IGNORECASE)


@dataclass(frozen=True)
class Change:
    start: int
    end: int
    old: str
    new: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "old": self.old, "new": self.new,
                "reason": self.reason}


@dataclass(frozen=True)
class Proofreading:
    changes: tuple[Change, ...]
    notes: tuple[str, ...]  # what could not be checked, and why


@lru_cache(maxsize=1)
def dictionary() -> Any | None:
    """Debian's hunspell en_US dictionary through Enchant, or None when it is not installed."""
    try:
        import enchant
    except ImportError:  # no libenchant on this machine
        return None
    try:
        return enchant.Dict("en_US")
    except enchant.errors.DictNotFoundError:
        return None


def known_word() -> Callable[[str], bool] | None:
    """Whether a lower-case word is in the dictionary, for the grounding check."""
    words = dictionary()
    return None if words is None else (lambda w: bool(w) and bool(words.check(w)))


def _distance(a: str, b: str) -> int:
    """Edits (insert, delete, change, swap two neighbours) from ``a`` to ``b``."""
    rows = [list(range(len(b) + 1))]
    for i, x in enumerate(a, 1):
        row = [i]
        for j, y in enumerate(b, 1):
            row.append(min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (x != y)))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _best(word: str, suggestions: Sequence[str]) -> str | None:
    """Hunspell's suggestion nearest the word: same first letter, fewest edits, the word's own
    case ("friend", not "Friend", for "freind"), then hunspell's order."""
    ranked = [(s[:1].lower() != word[:1].lower(), _distance(word.lower(), s.lower()),
               s[:1].isupper() != word[:1].isupper(), i, s)
              for i, s in enumerate(suggestions) if " " not in s or word.lower() == "alot"]
    return min(ranked)[4] if ranked else None


def _spelling(text: str, skip: Sequence[str], words: Any) -> list[Change]:
    changes = []
    for match in _WORD.finditer(text):
        word = match.group(0).replace("’", "'")
        if word.lower() in skip or words.check(word) or (word[0].isupper() and words.check(word.lower())):
            continue
        best = _best(word, words.suggest(word))
        if best is not None and not word[0].isupper():
            changes.append(Change(match.start(), match.end(), match.group(0), best,
                                  f"spelling: “{word}” is not in the en_US dictionary"))
    return changes


def _rule(pattern: str, text: str, fix: Callable[[re.Match[str]], str | None], reason: str,
          flags: int = 0) -> list[Change]:
    changes = []
    for match in re.finditer(pattern, text, flags):
        new = fix(match)
        if new is not None and new != match.group(0):
            changes.append(Change(match.start(), match.end(), match.group(0), new, reason))
    return changes


def _article(m: re.Match[str]) -> str | None:
    article, space, word = m.group(1), m.group(2), m.group(3)
    vowel = word[0].lower() in "aeiou"
    wants_an = (vowel and not _AN_EXCEPTIONS.match(word)) or bool(_A_EXCEPTIONS.match(word))
    if article.lower() == "a" and wants_an:
        return article + "n" + space + word
    if article.lower() == "an" and not wants_an:
        return article[0] + space + word
    return None


def _grammar(text: str) -> list[Change]:
    return [
        *_rule(r"\b(\w+)\s+\1\b", text, lambda m: m.group(1) if m.group(1).lower() not in ("that", "had")
               else None, "a word written twice", re.IGNORECASE),
        *_rule(r"\b([Aa]n?)(\s+)([A-Za-z]+)", text, _article,
               "“a” before a consonant sound, “an” before a vowel"),
        *_rule(r"(?<![\w'’])i(?=['’]?(?:m|ve|d|ll)?\b)(?![\w-])", text, lambda m: "I", "“I” is a capital"),
        *_rule(r"(?:^|(?<=[.!?]\s))([a-z])", text, lambda m: m.group(1).upper(),
               "a sentence begins with a capital", re.MULTILINE),
        *_rule(r"[ \t]+(?=[,.;:!?])", text, lambda m: "", "no space before punctuation"),
        *_rule(r"(?<=[a-z])([,;])(?=[A-Za-z])", text, lambda m: m.group(1) + " ",
               "a space after punctuation"),
        *_rule(r"(?<=\S)[ \t]{2,}(?=\S)", text, lambda m: " ", "one space between words"),
        *_rule(r"\b(could|would|should|must|might)\s+of\b", text, lambda m: m.group(1) + " have",
               "“could have”, not “could of”", re.IGNORECASE),
    ]


def proofread(text: str, *, skip: Sequence[str] = ()) -> Proofreading:
    """Every change os1 suggests in ``text``, in order; ``skip``: words to leave (names)."""
    words = dictionary()
    notes: tuple[str, ...] = ()
    changes = _grammar(text)
    if words is None:
        notes = ("spelling not checked: install Debian's libenchant-2-2 and hunspell-en-us",)
    else:
        changes += _spelling(text, [s.lower() for s in skip], words)
    chosen: list[Change] = []
    for change in sorted(changes, key=lambda c: (c.start, -c.end)):
        if not chosen or change.start >= chosen[-1].end:  # overlapping suggestions: the first wins
            chosen.append(change)
    return Proofreading(tuple(chosen), notes)


def apply(text: str, changes: Sequence[Change]) -> str:
    """``text`` with the accepted changes made, from the end so earlier places stay true."""
    for change in sorted(changes, key=lambda c: c.start, reverse=True):
        text = text[:change.start] + change.new + text[change.end:]
    return text
