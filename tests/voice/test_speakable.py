from __future__ import annotations

import pytest

from os1.voice.speakable import Chunker, addressed, is_backchannel, reads_finished


def feed_all(chunker: Chunker, text: str) -> list[str]:
    pieces: list[str] = []
    for word in text.split(" "):
        pieces += chunker.feed(word + " ")
    return pieces + chunker.flush()


def test_first_piece_may_end_at_a_clause_to_speak_sooner() -> None:
    text = "Oh hello there, my friend, it is good to hear you. How was the sea, really?"
    pieces = feed_all(Chunker(), text)
    assert pieces == ["Oh hello there,", "my friend, it is good to hear you.", "How was the sea, really?"]


def test_a_one_word_opening_clause_waits_for_more_words() -> None:
    assert feed_all(Chunker(), "Well, I think. Yes.") == ["Well, I think.", "Yes."]


def test_the_first_piece_does_not_wait_long_for_punctuation() -> None:
    pieces = feed_all(Chunker(), "one two three four five six seven eight nine ten eleven twelve. Done.")
    assert pieces[0] == "one two three four" and pieces[1:] == [
        "five six seven eight nine ten eleven twelve.", "Done."]


def test_a_long_run_without_punctuation_is_cut() -> None:
    text = " ".join(f"word{i}" for i in range(60))
    pieces = feed_all(Chunker(), text)
    assert len(pieces) >= 2 and " ".join(pieces) == text
    assert all(len(p.split()) <= 25 for p in pieces)


def test_nothing_is_lost_or_duplicated() -> None:
    text = "One. Two! Three? Four… five, six: seven"
    assert " ".join(feed_all(Chunker(), text)) == text


@pytest.mark.parametrize("text", ["mm-hm", "Mm hmm.", "yeah", "Yeah, right.", "uh-huh", "", "  ", "okay",
                                  "mm mm mm mm", "Oh.", "MMMM", "Hmm-mm"])
def test_backchannels(text: str) -> None:
    assert is_backchannel(text)


@pytest.mark.parametrize("text", ["wait", "stop please", "who", "ham", "mom", "yeah but what about tomorrow",
                                  "no, that's wrong", "tell me more"])
def test_not_backchannels(text: str) -> None:
    assert not is_backchannel(text)


def test_wake_phrase() -> None:
    assert addressed("Hey Ada, what's on tomorrow?", "Ada") == "what's on tomorrow?"
    assert addressed("ada what time is it", "Ada") == "what time is it"
    assert addressed("Hey Ada.", "Ada") == ""
    assert addressed("I told Ada about it", "Ada") is None
    assert addressed("hey there", "Ada") is None


@pytest.mark.parametrize("text", ["I bought some bread.", "What do you think?", "Yes!", "Really?",
                                  "Look at this.", "I don't know.", '"Okay."'])
def test_finished_sentences(text: str) -> None:
    assert reads_finished(text)


@pytest.mark.parametrize("text", ["", "I went to the shop and then, um...", "I went to the shop and",
                                  "If it rains tomorrow we should.", "Um.", "Hmm.", "I feel like, you know.",
                                  "Can you remind me to.", "My sister is coming next week and.",
                                  "The thing is, uh", "I was thinking\u2026", "So what I wanted to ask was"])
def test_sentences_left_open(text: str) -> None:
    assert not reads_finished(text)
