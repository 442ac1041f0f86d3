"""Another kind of OS, offline: a persona made of texts the user gives it (a philosopher's
essays, say), which answers in those texts' own sentences.

``TextsModel`` is a ``ChatModel`` with no weights: it reads the last thing said to it (outside
markers and the system prompt set aside), scores every sentence of its texts by the words they
share (each word weighted by how rare it is in the texts, so "the" counts for nothing), and
answers with the best few, in the order they were written, never the same sentence twice in a
conversation. It is deterministic and instant, so two OSes can talk on a machine with no model.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from os1.errors import InputError
from os1.outside import clean_text
from os1.types import Finished, Message, Options, StreamEvent, TextDelta, ToolSpec

MAX_TEXT_CHARS = 2_000_000
_SENTENCE = re.compile(r"(?<=[.!?;])\s+(?=[A-Z\"'“‘(])")
_WORD = re.compile(r"[a-z][a-z']+")
_MARKER = re.compile(r"^«.*»$")


def sentences_of(text: str) -> list[str]:
    flat = re.sub(r"\s+", " ", clean_text(text))
    return [s.strip() for s in _SENTENCE.split(flat) if len(_WORD.findall(s.lower())) >= 4]


def read_texts(paths: Sequence[Path]) -> list[str]:
    """The sentences of the given plain-text files; one clear error for a missing, binary or
    oversized file, or for texts with nothing to say."""
    found: list[str] = []
    for path in paths:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror}") from None
        if len(raw) > MAX_TEXT_CHARS or b"\0" in raw:
            raise InputError(f"{path} is not a plain text of at most {MAX_TEXT_CHARS} bytes")
        found += sentences_of(raw.decode("utf-8", "replace"))
    if not found:
        raise InputError("the texts have no sentences to speak with")
    return found


class TextsModel:
    """A chat model that answers from ``sentences``, at most ``per_reply`` of them a reply."""

    def __init__(self, name: str, sentences: Sequence[str], per_reply: int = 2) -> None:
        self.model_id = f"texts:{name}"
        self.sentences = list(sentences)
        self.per_reply = per_reply
        self._words = [set(_WORD.findall(s.lower())) for s in self.sentences]
        counts = Counter(w for words in self._words for w in words)
        self._weight = {w: math.log((1 + len(self.sentences)) / (1 + n)) for w, n in counts.items()}

    async def check(self) -> str:
        return f"{len(self.sentences)} sentences"

    async def aclose(self) -> None:
        return None

    def choose(self, heard: str, said_before: set[str]) -> list[str]:
        """The best sentences for ``heard``, in the texts' own order, none said before."""
        wanted = set(_WORD.findall(heard.lower()))
        scored = [(sum(self._weight.get(w, 0.0) for w in words & wanted), -i, i)
                  for i, words in enumerate(self._words) if self.sentences[i] not in said_before]
        best = sorted(scored, reverse=True)[:self.per_reply]
        return [self.sentences[i] for _, _, i in sorted(best, key=lambda b: b[2])]

    async def stream(self, messages: Sequence[Message], *, tools: Sequence[ToolSpec] = (),
                     options: Options | None = None) -> AsyncIterator[StreamEvent]:
        heard = _last_said(messages)
        before = {m.content for m in messages if m.role == "assistant"}
        said_before = {s for s in self.sentences if any(s in b for b in before)}
        for n, sentence in enumerate(self.choose(heard, said_before)):
            yield TextDelta(("" if n == 0 else " ") + sentence)
        yield Finished()


def _last_said(messages: Sequence[Message]) -> str:
    """The last user message without the spotlight's marker lines and rule."""
    for message in reversed(messages):
        if message.role == "user":
            lines = [ln for ln in message.content.splitlines() if not _MARKER.match(ln.strip())]
            return "\n".join(ln for ln in lines if not ln.startswith("Text between «"))
    return ""
