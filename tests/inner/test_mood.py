"""The mood: moved by the user's words, fading with time, honest in the prompt."""

from __future__ import annotations

from os1.inner.mood import CALM, HALF_LIFE_H, Mood, appraise, loads

HOUR = 3600.0


def test_words_move_the_mood_with_a_cause() -> None:
    glad = Mood().moved(appraise("I got the job!!"), now=1000.0, source_id=7)  # type: ignore[arg-type]
    assert glad.label in ("glad", "delighted") and glad.cause == "you shared good news"
    assert glad.source_id == 7 and glad.at == 1000.0
    worried = glad.moved(appraise("I'm so stressed about tomorrow"), now=1010.0)  # type: ignore[arg-type]
    assert worried.valence < glad.valence and worried.cause == "you sounded worried"
    assert appraise("The sky is blue.") is None


def test_time_brings_it_back_to_calm() -> None:
    sad = Mood().moved(appraise("my grandmother died"), now=0.0 + 1)  # type: ignore[arg-type]
    assert sad.label == "concerned"
    half = sad.at_time(1 + HALF_LIFE_H * HOUR)
    assert abs((half.valence - CALM[0]) - (sad.valence - CALM[0]) / 2) < 1e-9
    faded = sad.at_time(1 + 5 * HALF_LIFE_H * HOUR)
    assert faded.label == "calm" and faded.cause.startswith("it has been a while since")


def test_prompt_line_says_what_it_is_and_round_trips() -> None:
    mood = Mood().moved(appraise("thanks, that helped"), now=5.0)  # type: ignore[arg-type]
    line = mood.prompt_line()
    assert "not a feeling to perform" in line and mood.cause in line and mood.label in line
    assert loads(mood.dumps()) == mood
    assert loads("{broken") == Mood() and loads(None) == Mood()
