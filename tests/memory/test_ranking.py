"""Ranking pieces: dates named in a query, words stripped from it, and context-aware fusion."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from os1.memory.base import MemoryItem, Pieces
from os1.memory.ranking import (
    Context,
    Unembedded,
    Weights,
    best_similarity,
    content_words,
    expand,
    feedback_ids,
    fuse,
    gloss,
    named_speaker,
    nearest,
    pieces,
    sentences,
    speakers,
    strip_words,
    time_window,
    windows,
)

NOW = datetime(2023, 10, 22, 12, 0).timestamp()


def day(y: int, m: int, d: int) -> float:
    return datetime(y, m, d).timestamp()


def test_dates_months_and_years_become_windows() -> None:
    start, end = time_window("What did Rosa do on 7 July, 2023?", NOW) or (0, 0)
    assert start <= day(2023, 7, 7) <= end and end - start < 10 * 86400
    start, end = time_window("When did she go hiking in May 2022?", NOW) or (0, 0)
    assert start < day(2022, 5, 15) < end and not start < day(2023, 5, 15) < end
    start, end = time_window("what happened in August?", NOW) or (0, 0)
    assert start < day(2023, 8, 10) < end  # the last August before now
    start, end = time_window("Where did they travel in 2022?", NOW) or (0, 0)
    assert start <= day(2022, 6, 1) < end and not start <= day(2023, 6, 1) < end


def test_may_the_verb_and_impossible_dates_name_no_time() -> None:
    assert time_window("may I ask about your sister?", NOW) is None
    assert time_window("What did I say on 31 June, 2023?", NOW) is None
    assert time_window("How is my sister?", NOW) is None


def test_strip_words_removes_names_and_possessives() -> None:
    assert strip_words("What is Rosa's favourite book, Rosa?", ["rosa"]) == \
        "What is favourite book, ?"
    assert content_words("What did Rosa do?") == ["rosa"]


def item(i: int, session: int, at: float = NOW) -> MemoryItem:
    return MemoryItem(i, "utterance", f"turn {i}", at, role="user", session_id=session)


def test_neighbours_and_session_lift_context_turns() -> None:
    items = {i: item(i, 1 if i < 10 else 2) for i in (1, 2, 3, 11, 12)}
    context = Context({2: 1, 3: 2, 12: 11}, {1: 2, 2: 3, 11: 12})
    near = [(2, 0.9), (11, 0.5)]
    hits = fuse(items, {2, 11}, [], near, {2: 0.9, 11: 0.5, 1: 0.1, 3: 0.1, 12: 0.1}, context,
                k=5, now=NOW, half_life_days=30)
    order = [h.item.id for h in hits]
    assert order[0] == 2
    assert order.index(1) < order.index(12) and order.index(3) < order.index(12)  # same session as the best


def test_a_named_date_lifts_turns_from_then() -> None:
    items = {1: item(1, 1, day(2023, 5, 10)), 2: item(2, 2, day(2023, 8, 10))}
    hits = fuse(items, {1, 2}, [], [(1, 0.5), (2, 0.5)], {1: 0.5, 2: 0.5}, Context({}, {}),
                k=2, now=NOW, half_life_days=30, window=time_window("in May 2023", NOW))
    assert hits[0].item.id == 1


def test_impossible_years_name_no_time() -> None:
    assert time_window("what did I do in March 0000", NOW) is None
    assert time_window("and in December 9999?", NOW) is None


def test_a_named_speaker_lifts_that_persons_turns() -> None:
    names = speakers({"user_name": "Anna Berg", "os_name": "Sol", "city": "Lisbon"})
    assert names == {"user": "Anna Berg", "assistant": "Sol"}
    assert named_speaker("What does Anna Berg's sister like?", names) == "user"
    assert named_speaker("what did sol say about jazz", names) == "assistant"
    assert named_speaker("What do Anna Berg and Sol both like?", names) is None  # both: no one
    assert named_speaker("What does Anna like?", names) is None  # only part of the name
    assert named_speaker("What do I like?", {}) is None
    items = {1: MemoryItem(1, "utterance", "I love jazz", NOW, role="user", session_id=1),
             2: MemoryItem(2, "utterance", "I love jazz too", NOW, role="assistant", session_id=2)}
    hits = fuse(items, {1, 2}, [], [(2, 0.5), (1, 0.5)], {1: 0.5, 2: 0.5}, Context({}, {}),
                k=2, now=NOW, half_life_days=30, speaker="user")
    assert hits[0].item.id == 1


def test_sentences_become_pieces_that_keep_their_speaker() -> None:
    text = "Yeah, it's tough. I play my violin each day - it refreshes me [shares a photo of a violin]"
    assert sentences(text) == ["Yeah, it's tough.", "I play my violin each day", "it refreshes me",
                               "shares a photo of a violin"]
    where = pieces(text, "Anna")
    assert [text[a:b] for a, b in where.spans] == sentences(text) and where.lead == 0  # name not in it
    named = "Anna: I went hiking today. It rained all day long."
    where = pieces(named, "Anna")
    assert where.lead == len("Anna:") and [named[a:b] for a, b in where.spans] == \
        ["Anna: I went hiking today.", "It rained all day long."]
    assert pieces(named, "Sam").lead == 0  # someone else's name is not lent
    assert sentences("I went hiking today.") == []  # one sentence: the whole vector says it all
    assert sentences("Thanks, Mel! Cool. I went hiking today.") == []  # short ones say too little


def test_a_memory_is_as_near_as_its_best_vector() -> None:
    assert nearest([(1, 0.5), (2, 0.4)], [(2, 0.9), (2, 0.6), (3, 0.3)], 2) == [(2, 0.9), (1, 0.5)]
    assert best_similarity({1: 0.5, 2: 0.4}, {2: 0.9, 3: 0.3}) == {1: 0.5, 2: 0.9, 3: 0.3}


def test_evidence_in_two_sessions_is_found_together() -> None:
    """A question whose answer is spread over two sessions (one says the activity, the other
    says it again later) gets both, though each session has other turns about the same person."""
    items = {i: item(i, 1 if i < 10 else 2) for i in (1, 2, 3, 11, 12, 13)}
    context = Context({2: 1, 3: 2, 12: 11, 13: 12}, {1: 2, 2: 3, 11: 12, 12: 13})
    near = [(2, 0.8), (12, 0.7), (1, 0.3), (3, 0.3), (11, 0.3), (13, 0.3)]
    hits = fuse(items, set(items), [(12, 3.0), (2, 2.0)], near, dict(near), context,
                k=2, now=NOW, half_life_days=30)
    assert {h.item.id for h in hits} == {2, 12}


def test_feedback_moves_the_query_toward_its_best_candidates() -> None:
    weights = Weights(feedback=0.5, feedback_top=2)
    similarity = {1: 0.9, 2: 0.5, 3: 0.4, 4: 0.95}
    assert feedback_ids(similarity, {1, 2, 3}, [(3, 4.0)], weights) == [1, 3]  # 4: no candidate
    query = np.array([1.0, 0.0], dtype=np.float32)
    found = [np.array([0.0, 1.0], dtype=np.float32)]
    moved = expand(query, found, 0.5)
    assert np.isclose(np.linalg.norm(moved), 1.0) and moved[1] > 0.4
    assert expand(query, found, 0.0) is query and expand(query, [], 0.5) is query


def test_turns_that_follow_one_another_share_a_window() -> None:
    rows = [Unembedded(n, text, None) for n, text in enumerate(["a b", "c d", "e f", "g h"], start=1)]
    rows[0] = rows[0].with_context(["before"])
    found = windows(rows, {2: 1, 3: 2})  # 4 starts another session
    texts = [row.to_embed() for row in found]
    assert texts[0][0] == texts[1][0] == texts[2][0] == "before a b c d e f"
    assert [(w.context, w.end) for _, w in texts[:3]] == [(7, 10), (11, 14), (15, 0)]
    assert [t[w.context : w.end or len(t)] for t, w in texts] == ["a b", "c d", "e f", "g h"]
    assert texts[3] == ("g h", Pieces())  # alone, as it was


def test_a_window_closes_at_its_length() -> None:
    rows = [Unembedded(n, "x" * 400, None) for n in range(1, 4)]
    found = windows(rows, {2: 1, 3: 2})
    assert [row.to_embed()[1].end for row in found] == [400, 0, 0]  # 1 and 2 together, 3 alone
    assert found[2].to_embed()[0] == "x" * 400


def test_a_turn_that_refers_back_is_glossed_with_the_turn_before() -> None:
    before = "Anna: Thanks! I just signed up for a pottery class."
    assert gloss("Sam: That sounds amazing! How long have you been doing it?", before,
                 ["Anna", "Sam"]) == "pottery class"
    assert "pottery" not in gloss("Sam: Which pottery studio is it?", before, ["Anna"])  # its own
    assert gloss("Sam: Good luck with the exam!", before, ["Anna"]) == ""  # refers to nothing
    assert gloss("How was it?", "", []) == ""  # the session's first turn
