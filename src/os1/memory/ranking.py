"""Ranking for hybrid search: the FTS5 query from free text, and reciprocal-rank fusion of the
word and vector lists with recency and a preference for distilled facts."""

from __future__ import annotations

import math
import re

from os1.memory.base import Hit, MemoryItem

RRF_K = 60.0
RECENCY_WEIGHT = 0.006
FACT_BONUS = 0.004
MIN_VECTOR_SIMILARITY = 0.2  # below this a vector-only match is noise

STOPWORDS = frozenset(
    "a an and are as at be but by can could did do does for from had has have he her hers him his"
    " how i if in into is it its me my myself of on or our ours she so that the their them then"
    " there these they this to us was we were what when where which who whom why will with would"
    " you your yours about tell know remember do does did am been being any some".split()
)


def content_words(text: str, limit: int = 12) -> list[str]:
    """The text's distinct content words, in order."""
    words = [w for w in re.findall(r"\w+", text.lower()) if w not in STOPWORDS and len(w) > 1]
    return list(dict.fromkeys(words))[:limit]


def fts_query(words: list[str]) -> str:
    """An FTS5 OR-query of words, each quoted so that no FTS syntax comes from the user."""
    return " OR ".join(f'"{w}"' for w in words)


def fuse(items: dict[int, MemoryItem], words: list[int], near: list[tuple[int, float]], *,
         k: int, now: float, half_life_days: float) -> list[Hit]:
    """Score every candidate in ``items`` and return the best ``k``."""
    word_rank = {memory_id: rank for rank, memory_id in enumerate(words)}
    vector_rank = {memory_id: rank for rank, (memory_id, sim) in enumerate(near)
                   if sim >= MIN_VECTOR_SIMILARITY}
    hits: list[Hit] = []
    for memory_id, item in items.items():
        wr, vr = word_rank.get(memory_id), vector_rank.get(memory_id)
        if wr is None and vr is None:
            continue
        score = sum(1.0 / (RRF_K + r + 1) for r in (wr, vr) if r is not None)
        age_days = max(0.0, now - item.created_at) / 86400.0
        score += RECENCY_WEIGHT * math.exp(-age_days * math.log(2) / half_life_days)
        score += FACT_BONUS if item.kind == "fact" else 0.0
        hits.append(Hit(item, score, wr, vr))
    hits.sort(key=lambda h: h.score, reverse=True)
    return hits[:k]
