"""End of turn by the end-of-turn model with the VAD: a pause judged finished ends the turn before
the silence rule would, a pause judged unfinished does not end it unless its words read as a
finished sentence; and the real Smart Turn model ends a turn on real speech."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from os1.errors import VoiceError
from os1.voice.audio import Samples, read_audio, silence
from os1.voice.turn_model import SmartTurn, log_mel, smart_turn_path
from os1.voice.vad import SileroVAD, TurnDetector, TurnEvent, TurnModel, TurnTiming, judged


class Verdict:
    """A fixed end-of-turn verdict, counting how often it is asked."""

    def __init__(self, probability: float) -> None:
        self.probability = probability
        self.asked = 0

    def complete(self, samples: Samples) -> float:
        self.asked += 1
        return self.probability


def spoken(events: list[TurnEvent]) -> list[str]:
    """Starts and ends only."""
    return [e.kind for e in events if e.kind in ("start", "end")]


def kinds(stream: Samples, model: TurnModel | None, timing: TurnTiming | None = None,
          hear: Callable[[Samples], str] | None = None) -> list[TurnEvent]:
    detector = TurnDetector(SileroVAD(), timing or TurnTiming(), model)
    events: list[TurnEvent] = []
    for start in range(0, stream.size, 320):
        events += judged(detector, stream[start:start + 320], hear)
    return events


@pytest.fixture(scope="module")
def clip(speech_dir: Path) -> Samples:
    audio = read_audio(speech_dir / "goforward.wav")
    loud = np.flatnonzero(np.abs(audio) > 0.02)
    return audio[loud[0]:loud[-1] + 1]  # the speech, without the recording's own silence


def test_a_finished_pause_ends_the_turn_where_the_silence_rule_still_waits(clip: Samples) -> None:
    stream = np.concatenate([silence(0.5), clip, silence(0.35)])
    finished = Verdict(1.0)
    # speech-to-text starts at the hold, before the model is asked: its words come sooner
    assert [e.kind for e in kinds(stream, finished)] == ["start", "hold", "judge", "end"]
    assert finished.asked == 1
    timing = TurnTiming(end_silence_ms=600)
    assert [e.kind for e in kinds(stream, None, timing)] == ["start", "hold"]  # still waiting


def test_an_unfinished_pause_keeps_the_turn_open(clip: Samples) -> None:
    stream = np.concatenate([silence(0.5), clip, silence(0.9), clip, silence(2.0)])
    unfinished = kinds(stream, Verdict(0.0))
    assert spoken(unfinished) == ["start", "end"]  # one turn, both parts
    assert unfinished[-1].audio.size >= 2 * clip.size
    assert spoken(kinds(stream, None)) == ["start", "end", "start", "end"]


def ends_ms(stream: Samples, probability: float, hear: Callable[[Samples], str],
            timing: TurnTiming | None = None) -> list[float]:
    """Where each turn end fired, in ms of stream time."""
    detector = TurnDetector(SileroVAD(), timing or TurnTiming(), Verdict(probability))
    fired: list[float] = []
    for start in range(0, stream.size, 320):
        if any(e.kind == "end" for e in judged(detector, stream[start:start + 320], hear)):
            fired.append((start + 320) / 16)
    return fired


def test_words_that_read_finished_end_a_turn_the_model_called_unfinished(clip: Samples) -> None:
    stream = np.concatenate([silence(0.5), clip, silence(2.5)])
    t = TurnTiming()
    [finished] = ends_ms(stream, 1.0, lambda _: "")  # the model's own verdict: at decide_ms
    [said] = ends_ms(stream, 0.0, lambda _: "Go forward, move ahead.")
    [left_open] = ends_ms(stream, 0.0, lambda _: "Go forward and")
    [off] = ends_ms(stream, 0.0, lambda _: "Go forward, move ahead.", TurnTiming(end_said_ms=0))
    window = 32
    assert abs((said - finished) - (t.end_said_ms - t.decide_ms)) <= window
    assert abs((left_open - finished) - (t.end_incomplete_ms - t.decide_ms)) <= window
    assert off == left_open


def test_words_do_not_end_a_turn_the_user_goes_on_with(clip: Samples) -> None:
    stream = np.concatenate([silence(0.5), clip, silence(0.9), clip, silence(2.5)])
    events = kinds(stream, Verdict(0.0), hear=lambda _: "Go forward, move ahead.")
    assert spoken(events) == ["start", "end", "start", "end"]  # 0.9 s is past the words' wait
    events = kinds(np.concatenate([silence(0.5), clip, silence(0.3), clip, silence(2.5)]),
                   Verdict(0.0), hear=lambda _: "Go forward, move ahead.")
    assert spoken(events) == ["start", "end"]  # a shorter pause: one turn


def test_the_words_weighed_are_those_of_the_hold(clip: Samples) -> None:
    """``judged`` weighs the words of the audio the hold carried, 64 ms of silence before the
    model is asked, as a conversation does: it transcribes at the hold."""
    heard: list[int] = []

    def hear(audio: Samples) -> str:
        heard.append(audio.size)
        return "Go forward and"

    events = kinds(np.concatenate([silence(0.5), clip, silence(2.5)]), Verdict(0.0), hear=hear)
    [hold] = [e for e in events if e.kind == "hold"]
    [judge] = [e for e in events if e.kind == "judge"]
    assert heard == [hold.audio.size] and judge.audio.size - hold.audio.size == 2 * 512


def test_the_features_are_whispers_shape() -> None:
    features = log_mel(np.zeros(100, dtype=np.float32))
    assert features.shape == (80, 800)
    assert np.isfinite(features).all()


def test_a_missing_model_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(VoiceError, match="scripts/setup"):
        SmartTurn(tmp_path / "none.onnx")


@pytest.mark.integration
def test_smart_turn_ends_a_turn_of_real_speech(clip: Samples) -> None:
    if not smart_turn_path().is_file():
        pytest.fail(f"the end-of-turn model is missing (scripts/setup fetches it): {smart_turn_path()}")
    model = SmartTurn()
    assert 0.0 <= model.complete(clip) <= 1.0
    events = kinds(np.concatenate([silence(0.5), clip, silence(2.0)]), model)
    assert spoken(events) == ["start", "end"]
