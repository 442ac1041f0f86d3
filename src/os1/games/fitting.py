"""A word the game does not know, taken for the one it does that it is closest to: a spoken
"take the ramp" is the recogniser's "take the lamp", and a typed "lmap" is a slip. Only words
outside the game's vocabulary change, only to a word one letter away (an edit, by RapidFuzz's
Levenshtein distance), and only when that word is the one clear choice; words on the screen
or carried win a tie. Otherwise the word stays as said and the game answers it as it would."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from rapidfuzz import distance, process

MIN_LETTERS = 3  # shorter words are too close to too many others to guess at
MAX_EDITS = 1


def fit(words: list[str], known: Collection[str], seen: Iterable[str] = ()) -> list[str]:
    """``words`` with each unknown word replaced by its one clear neighbour in ``known``."""
    near = {w.casefold() for thing in seen for w in thing.split()}
    return [_fit_word(word, known, near) for word in words]


def _fit_word(word: str, known: Collection[str], near: set[str]) -> str:
    if word in known or len(word) < MIN_LETTERS or not word.isalpha():
        return word
    found = process.extract(word, known, scorer=distance.Levenshtein.distance,
                            score_cutoff=MAX_EDITS, limit=None)
    choices = {match for match, _, _ in found if len(match) >= MIN_LETTERS}
    if len(choices) > 1:  # a tie: the thing in sight, if exactly one of them is
        choices = {c for c in choices if c in near}
    return choices.pop() if len(choices) == 1 else word
