"""The user's voice, learnt from letters they wrote: how long their sentences run, how they open
and close, the words they favour and their punctuation habits. The profile is plain figures the
user can read, and a few lines of it shape the drafting prompt."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from os1.letters.grounding import COMMON

_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
_MARKS = {"commas": ",", "dashes": "—", "exclamations": "!", "questions": "?", "semicolons": ";",
          "ellipses": "…", "parentheses": "("}
_STOP = COMMON | frozenset("""
that's there's what's i'm you've i'll we'll it'll isn't wasn't aren't weren't haven't hasn't
like know think feel felt make made get got say said see saw way thing things time really
""".split())


@dataclass(frozen=True)
class Profile:
    letters: int = 0
    words: int = 0
    sentence_words: float = 0.0  # mean words per sentence
    openings: tuple[str, ...] = ()  # most used first lines, names replaced by "{name}"
    closings: tuple[str, ...] = ()
    favourite_words: tuple[str, ...] = ()
    punctuation: dict[str, float] = field(default_factory=dict)  # per 100 words
    contractions: float = 0.0  # per 100 words

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Profile:
        return cls(int(data["letters"]), int(data["words"]), float(data["sentence_words"]),
                   tuple(data["openings"]), tuple(data["closings"]), tuple(data["favourite_words"]),
                   {k: float(v) for k, v in data["punctuation"].items()}, float(data["contractions"]))

    def prompt_lines(self) -> list[str]:
        """How to write like this person, for the drafting prompt."""
        if not self.letters:
            return []
        marks = ", ".join(f"{k} {v:.1f}" for k, v in self.punctuation.items() if v >= 0.5)
        lines = [f"Sentences of about {self.sentence_words:.0f} words."]
        if self.openings:
            lines.append("Opens like: " + " / ".join(self.openings))
        if self.closings:
            lines.append("Closes like: " + " / ".join(self.closings))
        if self.favourite_words:
            lines.append("Favourite words: " + ", ".join(self.favourite_words[:12]))
        if marks:
            lines.append(f"Punctuation per 100 words: {marks}.")
        lines.append("Uses contractions often." if self.contractions >= 2 else "Rarely uses contractions.")
        return lines

    def vector(self) -> list[float]:
        """The numeric habits, for telling two writers apart."""
        return [self.sentence_words / 5, self.contractions,
                *(self.punctuation.get(k, 0.0) for k in _MARKS)]


def _shape(line: str, names: set[str]) -> str:
    """A first or last line with the name in it replaced, so "Dear Ana," and "Dear Tom," agree."""
    words = [("{name}" if w.strip(",.!").lower() in names or (w[:1].isupper() and i > 0) else w)
             for i, w in enumerate(line.split())]
    return " ".join(words)[:60]


def _ends(text: str) -> tuple[str, str]:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines:
        return "", ""
    closing = lines[-2] if len(lines) >= 3 and len(lines[-1].split()) <= 3 else lines[-1]
    return lines[0], closing


def learn(letters: Sequence[str]) -> Profile:
    """The style profile of ``letters`` (each the whole text of one letter)."""
    words = [w.lower().replace("’", "'") for text in letters for w in _WORD.findall(text)]
    sentences = [s for text in letters for s in _SENTENCE.findall(text) if _WORD.search(s)]
    if not words:
        return Profile()
    per100 = 100 / len(words)
    joined = "\n".join(letters).replace("--", "—").replace(" - ", " — ").replace("...", "…")
    punctuation = {k: round(joined.count(mark) * per100, 2) for k, mark in _MARKS.items()}
    counts = Counter(w for w in words if w not in _STOP and len(w) > 3)
    favourite = tuple(w for w, n in counts.most_common(20) if n >= 2)
    ends = [_ends(t) for t in letters]
    names: set[str] = set()
    openings = Counter(_shape(o, names) for o, _ in ends if o)
    closings = Counter(_shape(c, names) for _, c in ends if c)
    return Profile(len(letters), len(words),
                   round(sum(len(_WORD.findall(s)) for s in sentences) / max(len(sentences), 1), 1),
                   tuple(o for o, _ in openings.most_common(3)), tuple(c for c, _ in closings.most_common(3)),
                   favourite, punctuation, round(sum("'" in w for w in words) * per100, 2))


def distance(a: Profile, b: Profile) -> float:
    """How far apart two writers' habits are (0: alike), over the numeric figures and the
    favourite words they share."""
    numeric = math.dist(a.vector(), b.vector())
    shared = len(set(a.favourite_words) & set(b.favourite_words))
    union = len(set(a.favourite_words) | set(b.favourite_words)) or 1
    return numeric + 5 * (1 - shared / union)
