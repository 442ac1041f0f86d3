"""Recall: hybrid search. Word ranks and vector similarity give the candidates; each is scored
with its neighbouring turns and session, dates named in the query, the person it names, and
recency (``ranking.fuse``).

Word search bounds its cost: a word found in ``COMMON_TERM`` or more memories is dropped from the
query when rarer words exist, and if every word is that common only the most recent matches are
ranked. Words found in a large share of the memories (in a transcript, the speakers' names) are
left out of the query's vector, which is then embedded again without them."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence

from os1.memory.backends.base import Backend, Scored, Select, Tx
from os1.memory.base import Embedder, Hit, Kind, Turn, Vectors
from os1.memory.embedding.passes import embed
from os1.memory.ranking import (
    CANDIDATES,
    MIN_VECTOR_SIMILARITY,
    PIECE_FANOUT,
    UBIQUITOUS,
    UBIQUITY_MIN_STORE,
    Weights,
    best_similarity,
    content_words,
    expand,
    feedback_ids,
    fuse,
    named_speaker,
    nearest,
    speakers,
    strip_words,
    time_window,
)

COMMON_TERM = 500  # a word in this many memories says little: rank it only among recent ones


class Recall:
    """``search``."""

    def __init__(self, backend: Backend, embedder: Embedder) -> None:
        self.backend = backend
        self.embedder = embedder
        self.weights = Weights()
        self._ubiquity: dict[str, tuple[int, bool]] = {}  # term -> (store size, ubiquitous?)

    async def search(self, query: str, *, k: int = 8, vector: Vectors | None = None,
                     turn: Turn | None = None, kinds: Sequence[Kind] | None = None,
                     exclude: Sequence[int] = (), half_life_days: float = 30.0,
                     include_superseded: bool = False, now: float | None = None) -> list[Hit]:
        """The best ``k`` memories for ``query`` as of ``now`` (default: the clock). Its vector
        is ``vector``, or the ``turn``'s (the words just stored), or embedded here."""
        terms = content_words(query)
        async with self.backend.transaction() as tx:  # the store's size and each word's matches
            size, counts = await asyncio.gather(tx.vector_count(), tx.term_counts(terms, COMMON_TERM))
            ubiquitous = await self._ubiquitous(tx, terms, size, counts)
        stripped = strip_words(query, ubiquitous) if ubiquitous else ""
        if stripped:
            vector = (await embed(self.embedder, [stripped]))[0]
        elif vector is None:
            vector = turn.vector if turn is not None else (await embed(self.embedder, [query]))[0]
        now = time.time() if now is None else now
        pool, skip = max(CANDIDATES, 4 * k), set(exclude)
        async with self.backend.transaction() as tx:
            words, (whole, pieces), profile = await asyncio.gather(
                self._word_search(tx, terms, counts, pool), tx.nearest(vector, pool, PIECE_FANOUT * pool),
                tx.profile())
            near = nearest(whole, pieces, pool)
            candidates = {i for i, _ in words} | {i for i, sim in near if sim >= MIN_VECTOR_SIMILARITY}
            candidates -= skip
            if not candidates:
                return []
            context = await tx.neighbours(sorted(candidates))
            ids = sorted((candidates | {n for n in (*context.before.values(), *context.after.values())
                                        if n is not None}) - skip)
            found, (whole_sims, piece_sims) = await asyncio.gather(  # one trip to the store
                tx.select(Select(ids=ids)), tx.similarities(ids, vector))
            items = {m.id: m for m in found
                     if (not kinds or m.kind in kinds) and (include_superseded or m.valid_to is None)}
            similarity = {i: sim for i, sim in best_similarity(whole_sims, piece_sims).items()
                          if i in items}
            if self.weights.feedback > 0:
                top = feedback_ids(similarity, candidates, words, self.weights)
                moved = expand(vector, (await tx.vectors(top)).values(), self.weights.feedback)
                similarity = best_similarity(*await tx.similarities(list(items), moved))
        speaker = named_speaker(query, speakers(profile))
        return fuse(items, candidates & items.keys(), words, near, similarity, context, k=k, now=now,
                    half_life_days=half_life_days, window=time_window(query, now), speaker=speaker,
                    weights=self.weights)

    async def _ubiquitous(self, tx: Tx, terms: list[str], size: int,
                          counts: dict[str, int]) -> list[str]:
        """Query words found in ``UBIQUITOUS`` or more of the ``size`` memories with vectors, once
        there are ``UBIQUITY_MIN_STORE``; ``counts`` are the words' matches up to ``COMMON_TERM``.
        Counting further can cost milliseconds in a big store, so each answer is kept until the
        store has grown or shrunk by a tenth."""
        if not terms or size < UBIQUITY_MIN_STORE:
            return []
        cap = math.ceil(UBIQUITOUS * size)
        unknown = [t for t in terms if (known := self._ubiquity.get(t)) is None
                   or abs(size - known[0]) > size / 10]
        if unknown:
            if cap <= COMMON_TERM:
                found = counts
            else:  # most words are rare: the count that stopped at COMMON_TERM settles them
                common = [t for t in unknown if counts.get(t, 0) >= COMMON_TERM]
                found = await tx.term_counts(common, cap) if common else {}
            for term in unknown:
                self._ubiquity[term] = (size, found.get(term, 0) >= cap)
        return [t for t in terms if self._ubiquity[t][1]]

    @staticmethod
    async def _word_search(tx: Tx, terms: list[str], counts: dict[str, int], pool: int) -> Scored:
        """Word ranks with bounded cost, best first: words found in ``COMMON_TERM`` or more
        memories (``counts``) are left out when rarer ones exist (their weight is small anyway);
        if every word is common, only the most recent matches are ranked."""
        if not terms:
            return []
        rare = [t for t in terms if counts.get(t, 0) < COMMON_TERM]
        return await tx.word_ranks(rare or terms, pool, None if rare else COMMON_TERM)
