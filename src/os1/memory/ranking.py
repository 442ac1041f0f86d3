"""Ranking for hybrid search: the FTS5 query from free text, dates and speakers named in it, the
sentences a memory is also embedded as, and the fusion of the word and vector signals with the
memory's conversational context (its neighbouring turns and its session), recency and a preference
for distilled facts."""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np

from os1.memory.base import Hit, MemoryItem, Pieces, Vectors

# Scores are in cosine units: a candidate's own score is its cosine similarity to the query plus
# WORD_WEIGHT times its BM25 over the query's best BM25. Tuned on LoCoMo dev (benchmarks/locomo.py).
WORD_WEIGHT = 0.4
NEIGHBOUR_WEIGHT = 0.2  # times the better of the previous and next turn's score, same session
SESSION_WEIGHT = 0.5  # times the best own score among the session's candidates
WINDOW_BONUS = 0.2  # for memories inside a date range that the query names ("in May 2023")
RECENCY_WEIGHT = 0.02  # a tie-breaker: LoCoMo (asked after the fact) is indifferent at this size
FACT_BONUS = 0.03
SPEAKER_BONUS = 0.3  # for turns spoken by the one person the query names ("What does Anna like?")
CANDIDATES = 150  # each of the word and vector lists yields this many candidates (more for a big k)
MIN_VECTOR_SIMILARITY = 0.2  # below this a vector-only match is noise
UBIQUITOUS = 0.4  # a query word found in this share of memories (a speaker's name) is left out of
UBIQUITY_MIN_STORE = 50  # the query's vector, in stores of at least this many memories
DAY = 86400.0


@dataclass(frozen=True)
class Weights:
    """The fusion's weights (the constants above by default); ``benchmarks/locomo.py --loo`` tunes
    them on some conversations and scores them on another."""

    word: float = WORD_WEIGHT
    neighbour: float = NEIGHBOUR_WEIGHT
    session: float = SESSION_WEIGHT
    window: float = WINDOW_BONUS
    speaker: float = SPEAKER_BONUS
    feedback: float = 0.0  # pseudo-relevance feedback: the query's vector moved this far toward
    feedback_top: int = 3  # the mean of its best this many candidates' vectors (see ``expand``)

STOPWORDS = frozenset(
    "a an and are as at be but by can could did do does for from had has have he her hers him his"
    " how i if in into is it its me my myself of on or our ours she so that the their them then"
    " there these they this to us was we were what when where which who whom why will with would"
    " you your yours about tell know remember do does did am been being any some".split()
)


# A memory of several sentences also has a vector per sentence ("pieces"): one pooled vector of
# "running, reading, or playing my violin - which refreshes me" drowns the violin, so a memory's
# similarity to a query is that of its best vector, whole or piece. Each piece is pooled from the
# whole text's token states (one pass of the model for both; see ``Embedder.embed_pieces``), so it
# keeps what the turn around it says.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\s+[-\u2013\u2014]\s+|\s*\[")
PIECE_MIN_WORDS = 3  # shorter sentences ("Thanks, Mel!") say too little on their own
PIECE_SLOTS = 16  # most pieces (sentence vectors) kept per memory
PIECE_FANOUT = 3  # piece hits fetched per memory wanted: one memory's pieces can be near together
LIVE_PIECES_MAX_CHARS = 800  # a turn said live this long fits one pass of the model (256 tokens)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Where the text's sentences, dash-separated clauses and bracketed asides of at least
    ``PIECE_MIN_WORDS`` words lie, as character spans (at most ``PIECE_SLOTS``); none when fewer
    than two, since a one-sentence memory is its own whole vector."""
    spans: list[tuple[int, int]] = []
    start = 0
    for gap in (*_SENTENCE_BREAK.finditer(text), None):
        end = gap.start() if gap else len(text)
        while start < end and text[start] in " []":
            start += 1
        while end > start and text[end - 1] in " []":
            end -= 1
        if len(text[start:end].split()) >= PIECE_MIN_WORDS:
            spans.append((start, end))
        if gap:
            start = gap.end()
    spans = spans[:PIECE_SLOTS]
    return spans if len(spans) > 1 else []


def sentences(text: str) -> list[str]:
    """The texts of ``sentence_spans``."""
    return [text[a:b] for a, b in sentence_spans(text)]


def pieces(text: str, speaker: str | None) -> Pieces:
    """Where a memory's pieces lie. Cut out of its turn, a sentence no longer says who spoke it:
    in a text that starts with its speaker's name (``"Anna: ..."``, as imported transcripts
    do; ``speaker`` from the profile, see ``speakers``), every piece also takes in that name."""
    spans = sentence_spans(text)
    named = re.match(rf"{re.escape(speaker)}(?!\w):?", text, re.IGNORECASE) if spans and speaker else None
    return Pieces(tuple(spans), named.end() if named else 0)


def live_pieces(text: str) -> Pieces:
    """Where the sentences lie of a turn said live, to embed them in the same pass as the words
    searched with: none for a text too long to fit that pass, whose sentences the background
    step embeds instead (off the reply's path). A turn said live has no speaker's name before
    it, so its sentences take in none."""
    return pieces(text, None) if len(text) <= LIVE_PIECES_MAX_CHARS else Pieces()


# A turn's vectors are made with the turn before it in its session in view ("That sounds
# amazing! How long have you been doing it?" is about what the turn before named): the model
# reads the last CONTEXT_CHARS characters of the previous CONTEXT_TURNS turns, but the turn's
# vectors pool only its own tokens. Turns longer than CONTEXT_MAX_OWN are embedded alone, so
# that the context never pushes their own words past the model's 256 tokens. On LoCoMo dev
# (docs/dependencies.md) one turn of 200 characters did best; two of 300 or three of 500 less.
CONTEXT_TURNS = 1
CONTEXT_CHARS = 200
CONTEXT_MAX_OWN = 600


# A turn that refers back ("That sounds amazing! How long have you been doing it?") is also found
# by what it refers to: a gloss of the last GLOSS_WORDS content words of the turn before it (past
# its speaker's name, other than the speakers' names, small talk and the turn's own words) goes
# beside it in the word index, never into its text. Rules, not a model: a turn refers back when
# it holds a pronoun or a word like "there". On LoCoMo dev (docs/dependencies.md) two to three
# words did best; six less. The last words, not the rarest: what a pronoun points at is most often
# the end of the turn before, and words picked by rarity (slang, nicknames) did worse.
GLOSS_WORDS = 2
_REFERS_BACK = re.compile(r"\b(?:it|its|that|this|these|those|they|them|there|one)\b", re.IGNORECASE)
_SMALL_TALK = frozenset("wow great awesome thanks cool really sounds amazing yeah hey hi love glad"
                        " totally just like so much also".split())


def gloss(text: str, before: str, names: Iterable[str]) -> str:
    """The words a turn that refers back is glossed with (see ``GLOSS_WORDS``): "" for one that
    does not, or for no turn before it. ``names`` are the speakers' names."""
    if not before or not _REFERS_BACK.search(text):
        return ""
    said = before.split(":", 1)[1] if any(before.startswith(f"{n}:") for n in names) else before
    skip = {w.lower() for n in names for w in n.split()} | _SMALL_TALK | set(content_words(text, 50))
    words = [w for w in content_words(said, 50) if w not in skip]
    return " ".join(words[-GLOSS_WORDS:])


# Embedding each turn with its context read again would cost about twice the model's work; so a
# session's turns that wait together are read in windows of up to WINDOW_CHARS characters, one
# pass each: every turn's tokens computed once, the turn before the window as its context, and
# each turn's vectors pooled from its own tokens (the model also sees the window's later turns).
WINDOW_CHARS = 900


@dataclass(frozen=True)
class Unembedded:
    """A memory waiting for its vector or its pieces' vectors; ``pieces`` is None when it has
    its pieces (or needs none); ``context`` the turns said before it (see ``CONTEXT_TURNS``),
    ``after`` those after it in its window (see ``windows``)."""

    id: int
    text: str
    pieces: Pieces | None
    context: str = ""
    after: str = ""
    gloss: str = ""

    def with_context(self, before: Sequence[str], names: Iterable[str] = ()) -> Unembedded:
        """This memory with the turns said before it (oldest first) as its context, and its
        gloss (see ``gloss``; ``names`` are the speakers')."""
        glossed = replace(self, gloss=gloss(self.text, before[-1] if before else "", names))
        if not before or len(self.text) > CONTEXT_MAX_OWN:
            return glossed
        said = " ".join(before)[-CONTEXT_CHARS:].lstrip()
        return replace(glossed, context=f"{said} " if said else "")

    def to_embed(self) -> tuple[str, Pieces]:
        """The text the model reads, and where its own words and sentences lie in it."""
        where = self.pieces or Pieces()
        if not self.context and not self.after:
            return self.text, where
        end = len(self.context) + len(self.text) if self.after else 0
        return self.context + self.text + self.after, replace(where, context=len(self.context), end=end)


def windows(rows: Sequence[Unembedded], previous: Mapping[int, int]) -> list[Unembedded]:
    """``rows`` (in the order said) with each run of turns that follow one another in a session
    (``previous`` maps a turn to the one said before it) read in windows of up to
    ``WINDOW_CHARS``: a turn's context is its window's first turn's context and the turns
    before it in the window, its ``after`` the window's turns after it."""
    groups: list[list[Unembedded]] = []
    for row in rows:
        last = groups[-1] if groups else []
        size = len(last[0].context) + sum(len(r.text) + 1 for r in last) if last else 0
        if (last and previous.get(row.id) == last[-1].id and len(row.text) <= CONTEXT_MAX_OWN
                and size + len(row.text) <= WINDOW_CHARS):
            last.append(row)
        else:
            groups.append([row])
    return [row for group in groups for row in _together(group)]


def _together(group: list[Unembedded]) -> list[Unembedded]:
    """One window's turns, each with the others around it."""
    if len(group) == 1:
        return group
    texts = [row.text for row in group]
    return [replace(row, context=group[0].context + "".join(f"{t} " for t in texts[:n]),
                    after="".join(f" {t}" for t in texts[n + 1:]))
            for n, row in enumerate(group)]


def unembedded(rows: Iterable[tuple[int, str, str | None, bool]],
               names: Mapping[str, str]) -> list[Unembedded]:
    """``(id, text, role, pieced)`` rows as ``Unembedded``, each unpieced one with where its
    pieces lie; ``names`` maps roles to speakers' names (see ``speakers``)."""
    return [Unembedded(memory_id, text, None if pieced else pieces(text, names.get(role or "")))
            for memory_id, text, role, pieced in rows]


def nearest(whole: list[tuple[int, float]], pieces: list[tuple[int, float]],
            k: int) -> list[tuple[int, float]]:
    """The ``k`` memories nearest the query by their best vector (whole text or one piece), as
    (id, similarity) best first, from the whole vectors' and the pieces' top lists."""
    best: dict[int, float] = {}
    for memory_id, sim in (*whole, *pieces):
        if sim > best.get(memory_id, -math.inf):
            best[memory_id] = sim
    return sorted(best.items(), key=lambda pair: pair[1], reverse=True)[:k]


def best_similarity(whole: Mapping[int, float], pieces: Mapping[int, float]) -> dict[int, float]:
    """Each memory's similarity to the query: that of its best vector, whole or piece."""
    best = dict(whole)
    for memory_id, sim in pieces.items():
        best[memory_id] = max(sim, best.get(memory_id, -math.inf))
    return best


def content_words(text: str, limit: int = 12) -> list[str]:
    """The text's distinct content words, in order."""
    words = [w for w in re.findall(r"\w+", text.lower()) if w not in STOPWORDS and len(w) > 1]
    return list(dict.fromkeys(words))[:limit]


def fts_query(words: list[str]) -> str:
    """An FTS5 OR-query of words, each quoted so that no FTS syntax comes from the user."""
    return " OR ".join(f'"{w}"' for w in words)


def strip_words(text: str, words: list[str]) -> str:
    """The text without ``words`` (lower-case content words), and without their possessive 's."""
    for word in words:
        text = re.sub(rf"\b{re.escape(word)}(?:'s)?\b", " ", text, flags=re.IGNORECASE)
    return " ".join(text.split())


MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")
_MONTH = "|".join(MONTHS)
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? ({_MONTH}),? (\d{{4}})\b")
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTH}) (\d{{1,2}})(?:st|nd|rd|th)?,? (\d{{4}})\b")
_MONTH_YEAR = re.compile(rf"\b({_MONTH})(?:,? (\d{{4}}))?\b")
_YEAR = re.compile(r"\b(?:in|during|of|since) (19\d\d|20\d\d)\b")
_MAY_VERB = re.compile(r"\bmay (?:i|we|you|he|she|they|it|be)\b")


def _month_start(year: int, month: int) -> float:
    return datetime(year + (month - 1) // 12, (month - 1) % 12 + 1, 1).timestamp()


def time_window(query: str, now: float) -> tuple[float, float] | None:
    """The span of time a query names (see ``_window``); None for none, or an impossible date."""
    try:
        return _window(query, now)
    except (ValueError, OverflowError, OSError):  # "March 0000", "31 June, 2023"
        return None


def _window(query: str, now: float) -> tuple[float, float] | None:
    """The span of time a query names, as Unix times: a date ("on 7 July, 2023", "May 3, 2023":
    the week up to it, since people tell things after they happen), a month ("in May 2022"; "in
    May" is the last May up to ``now``; plus ten days for telling it later), or a year."""
    text = query.lower()
    found = _DAY_MONTH_YEAR.search(text)
    if found:
        day, month, year = int(found[1]), found[2], int(found[3])
    elif found := _MONTH_DAY_YEAR.search(text):
        day, month, year = int(found[2]), found[1], int(found[3])
    if found:
        try:
            at = datetime(year, MONTHS.index(month) + 1, day).timestamp()
        except ValueError:  # "31 June"
            return None
        return at - 7 * DAY, at + 2 * DAY
    found = _MONTH_YEAR.search(text)
    if found and found[1] == "may" and not found[2] and ("May" not in query or _MAY_VERB.search(text)):
        found = None  # "may" the verb
    if found:
        number = MONTHS.index(found[1]) + 1
        today = datetime.fromtimestamp(now)
        year = int(found[2]) if found[2] else today.year - (number > today.month)
        return _month_start(year, number) - 2 * DAY, _month_start(year, number + 1) + 10 * DAY
    found = _YEAR.search(text)
    if found:
        year = int(found[1])
        return datetime(year, 1, 1).timestamp(), (datetime(year + 1, 1, 1) + timedelta(days=10)).timestamp()
    return None


@dataclass(frozen=True)
class Context:
    """Where each memory sits: its previous and next utterance in the same session (or None)."""

    before: Mapping[int, int | None]
    after: Mapping[int, int | None]


def fuse(items: dict[int, MemoryItem], candidates: set[int], words: list[tuple[int, float]],
         near: list[tuple[int, float]], similarity: Mapping[int, float], context: Context, *,
         k: int, now: float, half_life_days: float, window: tuple[float, float] | None = None,
         speaker: str | None = None, weights: Weights | None = None) -> list[Hit]:
    """Score every memory in ``items`` (the candidates and their neighbouring turns) and return the
    best ``k``. ``words`` is the BM25 list ((id, -bm25), best first), ``near`` the vector list,
    ``similarity`` each item's cosine similarity to the query, ``speaker`` the role whose turns
    the query asks about (see ``named_speaker``)."""
    w = weights or Weights()
    word_rank = {memory_id: rank for rank, (memory_id, _) in enumerate(words)}
    vector_rank = {memory_id: rank for rank, (memory_id, sim) in enumerate(near)
                   if sim >= MIN_VECTOR_SIMILARITY}
    best_bm25 = max((b for _, b in words), default=0.0) or 1.0
    bm25 = {memory_id: b / best_bm25 for memory_id, b in words}
    own: dict[int, float] = {}
    for memory_id, item in items.items():
        score = similarity.get(memory_id, 0.0) + w.word * bm25.get(memory_id, 0.0)
        if window and window[0] <= item.created_at <= window[1]:
            score += w.window
        age_days = max(0.0, now - item.created_at) / DAY
        score += RECENCY_WEIGHT * math.exp(-age_days * math.log(2) / half_life_days)
        score += FACT_BONUS if item.kind == "fact" else 0.0
        score += w.speaker if speaker is not None and item.role == speaker else 0.0
        own[memory_id] = score
    session_best: dict[int, float] = {}
    for memory_id in candidates & own.keys():
        session = items[memory_id].session_id
        if session is not None:
            session_best[session] = max(session_best.get(session, -math.inf), own[memory_id])
    for memory_id, item in items.items():
        if item.session_id is not None:
            own[memory_id] += w.session * session_best.get(item.session_id, 0.0)
    final: dict[int, float] = {}
    for memory_id in items:
        beside = [own[n] for n in (context.before.get(memory_id), context.after.get(memory_id))
                  if n is not None and n in own]
        final[memory_id] = own[memory_id] + w.neighbour * max(beside, default=0.0)
    best = heapq.nlargest(k, final, key=final.__getitem__)  # Hits only for the k returned
    return [Hit(items[i], final[i], word_rank.get(i), vector_rank.get(i)) for i in best]


def feedback_ids(similarity: Mapping[int, float], candidates: set[int],
                 words: list[tuple[int, float]], weights: Weights) -> list[int]:
    """The candidates whose vectors pseudo-relevance feedback pools: the best by similarity plus
    the word weight times relative BM25."""
    best_bm25 = max((b for _, b in words), default=0.0) or 1.0
    bm25 = {memory_id: b / best_bm25 for memory_id, b in words}
    return heapq.nlargest(weights.feedback_top, candidates & similarity.keys(),
                          key=lambda i: similarity[i] + weights.word * bm25.get(i, 0.0))


def expand(vector: Vectors, found: Iterable[Vectors], weight: float) -> Vectors:
    """The query's vector moved ``weight`` toward the mean of ``found`` (unit length)."""
    rows = list(found)
    if not rows or weight <= 0:
        return vector
    moved = vector + weight * np.mean(np.stack(rows), axis=0)
    unit: Vectors = (moved / (np.linalg.norm(moved) or 1.0)).astype(np.float32)
    return unit


def speakers(profile: Mapping[str, str]) -> dict[str, str]:
    """Who speaks in each role, from the profile: the user's name, and the name os1 chose."""
    names = {"user": profile.get("user_name", ""), "assistant": profile.get("os_name", "")}
    return {role: name for role, name in names.items() if name.strip()}


def named_speaker(query: str, names: Mapping[str, str]) -> str | None:
    """The role (``user`` or ``assistant``) whose speaker the query names, linking the name to the
    turns that person spoke; None when it names neither, or both ("What do Anna and Sam share?").
    ``names`` maps each role to its speaker's name (see ``speakers``)."""
    words = set(re.findall(r"\w+", query.lower()))
    named = [role for role, name in names.items() if set(re.findall(r"\w+", name.lower())) <= words]
    return named[0] if len(named) == 1 else None
