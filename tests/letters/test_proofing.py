"""Proofreading: Debian's hunspell dictionary through pyenchant, and the grammar rules; each
change has its place and reason, and only accepted changes are made."""

from __future__ import annotations

import pytest

from os1.proofing import apply, dictionary, proofread

needs_dictionary = pytest.mark.skipif(dictionary() is None, reason="hunspell-en-us not installed")


@needs_dictionary
def test_misspellings_are_found_with_a_suggestion() -> None:
    text = "I recieved your letter and it was definately a suprise."
    changes = proofread(text).changes
    assert [(c.old, c.new) for c in changes] == [("recieved", "received"), ("definately", "definitely"),
                                                 ("suprise", "surprise")]
    assert all("dictionary" in c.reason for c in changes)


@needs_dictionary
def test_names_and_correct_words_are_left_alone() -> None:
    assert proofread("Dear Ana, Krzysztof and I walked to the harbor.", skip=["Krzysztof"]).changes == ()


def test_grammar_rules() -> None:
    text = "i think it was a honest mistake , and we we could of known.it was an big day."
    found = {(c.old, c.new) for c in proofread(text).changes}
    assert ("i", "I") in found
    assert ("a honest", "an honest") in found
    assert ("an big", "a big") in found
    assert ("we we", "we") in found
    assert ("could of", "could have") in found
    assert (" ", "") in found


def test_only_accepted_changes_are_made() -> None:
    text = "i was there there."
    changes = proofread(text).changes
    assert apply(text, changes) == "I was there."
    assert apply(text, [c for c in changes if c.old != "i"]) == "i was there."


def test_without_a_dictionary_grammar_still_runs_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import os1.proofing as proofing

    monkeypatch.setattr(proofing, "dictionary", lambda: None)
    done = proofing.proofread("i recieved it")
    assert [(c.old, c.new) for c in done.changes] == [("i", "I")]
    assert done.notes and "hunspell" in done.notes[0]
    assert proofing.known_word() is None
