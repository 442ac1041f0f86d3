"""Session summaries: one short text per conversation session, rebuilt from the session's turns.

A summary is extractive: the session's time span and turn count, then its most central turns
(those nearest the mean of the session's turn vectors, so the turns most about what the session
was about), in the order they were said. Turns that carry outside content (mail, shared files)
are never quoted: a summary goes into the model's context at the start of the next conversation,
and outside text there would read as something said. It needs no model, so every store has one for every
session, offline, at a cost of a few milliseconds.

Summaries are derived data. Each records how many utterances it covers and the last of them, so
a stale one (the session went on, or a turn was edited or forgotten) is found by comparing those
with the session's turns, and rebuilt; a crash between a turn and its summary loses nothing.
Forgetting or editing a turn rebuilds its session's summary in the same transaction, so the old
words do not survive in a summary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from os1.memory.base import MemoryItem, Vectors

SUMMARY_TURNS = 3  # central turns quoted in a summary
TURN_CHARS = 200  # each quoted turn is clipped to this many characters
FULL_WORDS = 8  # turns shorter than this many words count for less ("Thanks!", "Wow")


@dataclass(frozen=True)
class Summary:
    """One session's summary and the turns it was built from."""

    session_id: int
    text: str
    turns: int  # utterances covered
    last_id: int  # the newest of them
    updated_at: float


def summarize(turns: Sequence[MemoryItem], vectors: Mapping[int, Vectors]) -> str:
    """The summary text of one session's utterances (oldest first); ``vectors`` holds the vectors
    of those that have one (a turn without is quoted only if fewer turns have vectors)."""
    if not turns:
        return ""
    own = [t for t in turns if t.provenance != "external"]  # outside content is not quoted
    central = _centrality(own, vectors)
    ranked = sorted(own, key=lambda t: (-central.get(t.id, -1.0), t.id))
    quoted = sorted(ranked[:SUMMARY_TURNS], key=lambda t: t.id)
    lines = " / ".join(f"{t.role or t.kind}: {_clip(t.text)}" for t in quoted)
    return f"{_span(turns[0].created_at, turns[-1].created_at)}, {len(turns)} turns: {lines}"


def _centrality(turns: Sequence[MemoryItem], vectors: Mapping[int, Vectors]) -> dict[int, float]:
    """Each turn's cosine to the session's mean vector, scaled down for very short turns."""
    have = [t for t in turns if t.id in vectors]
    if not have:
        return {}
    matrix = np.stack([np.asarray(vectors[t.id], dtype=np.float32) for t in have])
    centre = matrix.mean(axis=0)
    scores = matrix @ centre
    return {t.id: float(s) * min(1.0, len(t.text.split()) / FULL_WORDS)
            for t, s in zip(have, scores, strict=True)}


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TURN_CHARS else text[: TURN_CHARS - 1].rstrip() + "…"


def _span(first: float, last: float) -> str:
    start, end = (datetime.fromtimestamp(t, UTC).astimezone() for t in (first, last))
    if start.date() == end.date():
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}"
