"""Text decisions of a spoken conversation: where a streaming reply can be cut into speakable
pieces, which short sounds are backchannels, whether a turn was addressed to os1, and whether
what the user said so far reads as a finished sentence."""

from __future__ import annotations

import re
import unicodedata

SENTENCE_END = re.compile(r"[.!?…]+[\"')\]]*\s")
CLAUSE_END = re.compile(r"[,;:—–]\s")
FIRST_CLAUSE_WORDS = 2  # the first piece may end at a clause, to start speaking sooner...
FIRST_PIECE_WORDS = 4  # ...or after this many words, punctuation or not (the model outruns the voice)
MAX_PIECE_WORDS = 24

FILLERS = frozenset({"mm", "mmm", "hm", "hmm", "mhm", "mm-hm", "mm-hmm", "uh-huh", "uh", "huh", "um",
                     "ah", "oh", "aha", "ha", "haha", "ooh", "aw"})
BACKCHANNELS = FILLERS | frozenset({
    "yeah", "yes", "yep", "ok", "okay", "right", "sure", "i see", "got it", "wow", "nice", "cool",
    "true", "totally", "exactly", "indeed",
})

# words a sentence seldom ends on: said last, more is coming ("and then", "the", "we could");
# words that often end one too ("so", "that", "I did") are in, where a pause after them is
# as often a thought going on
OPEN_ENDS = frozenset({
    "and", "but", "or", "nor", "so", "because", "cause", "since", "though", "although", "while",
    "if", "unless", "until", "than", "as", "that", "whether", "the", "a", "an", "my", "your",
    "our", "their", "its", "to", "of", "with", "from", "by", "into", "onto", "between", "through",
    "about", "for", "at", "like", "i", "we", "they", "he", "she", "is", "was", "were", "are", "am",
    "be", "been", "being", "do", "does", "did", "have", "has", "had", "should", "could", "would",
    "will", "can", "must", "might", "may", "shall", "just", "very", "er", "erm",
})
TRAILING_FILLERS = frozenset({("you", "know"), ("i", "mean"), ("i", "guess"), ("i", "think")})


class Chunker:
    """Reply text in as it streams; speakable pieces out as soon as they are complete."""

    def __init__(self, first_clause_words: int = FIRST_CLAUSE_WORDS,
                 first_piece_words: int = FIRST_PIECE_WORDS) -> None:
        self.first_clause_words = first_clause_words
        self.first_piece_words = first_piece_words
        self._text = ""
        self._pieces = 0

    def feed(self, delta: str) -> list[str]:
        self._text += delta
        out: list[str] = []
        while piece := self._cut():
            out.append(piece)
        return out

    def flush(self) -> list[str]:
        rest, self._text = self._text.strip(), ""
        return [rest] if rest else []

    def _cut(self) -> str | None:
        match = SENTENCE_END.search(self._text)
        if match is None and self._pieces == 0:
            clause = CLAUSE_END.search(self._text)
            if clause and len(self._text[:clause.end()].split()) >= self.first_clause_words:
                match = clause
        end = match.end() if match else None
        longest = self.first_piece_words if self._pieces == 0 else MAX_PIECE_WORDS
        if end is None and len(self._text.split()) > longest:
            end = self._text.rfind(" ", 0, len(self._text) - 1) + 1
        if not end:
            return None
        piece, self._text = self._text[:end].strip(), self._text[end:]
        self._pieces += 1
        return piece or None


def words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).lower()
    return re.findall(r"[a-z0-9']+(?:-[a-z0-9']+)*", folded)


def is_filler(word: str) -> bool:
    """A sound rather than a word: "mm", "hmm", "mmmm", "uh-huh", "oh"."""
    return word in FILLERS or re.fullmatch(r"[mh]+(?:-[mh]+)*", word) is not None


def is_backchannel(text: str) -> bool:
    """Whether a short utterance only acknowledges ("mm-hm", "yeah, right") or is no words at
    all (a cough, a laugh, noise)."""
    said = words(text)
    if not said:
        return True
    joined = " ".join(said)
    if joined in BACKCHANNELS or all(is_filler(w) for w in said):
        return True
    return len(said) <= 3 and all(w in BACKCHANNELS for w in said)


def addressed(text: str, name: str) -> str | None:
    """The request after a wake phrase ("hey Ada, ..." or "Ada, ..."), or None if the turn does
    not start with os1's name."""
    said = words(text)
    target = words(name)
    if not target:
        return None
    skip = 1 if said[:1] in (["hey"], ["hi"], ["ok"], ["okay"]) else 0
    if said[skip:skip + len(target)] != target:
        return None
    # drop the same words from the original text, keeping its punctuation for the rest
    pattern = r"^\W*(?:(?:hey|hi|ok|okay)\W+)?" + r"\W+".join(map(re.escape, target)) + r"\W*"
    rest = re.sub(pattern, "", text, count=1, flags=re.IGNORECASE).strip()
    return rest


def reads_finished(text: str) -> bool:
    """Whether a transcript reads as a finished sentence: it ends with ".", "?" or "!" (not
    "..."), and not on a word that leaves it open ("and", "the", "we could", "um", "you know")."""
    end = text.rstrip().rstrip("\"')]")
    if not end.endswith((".", "?", "!")) or end.endswith(("..", "\u2026")):
        return False
    said = words(end)
    if not said or said[-1] in OPEN_ENDS or is_filler(said[-1]):
        return False
    return tuple(said[-2:]) not in TRAILING_FILLERS
