"""Only a voice standing out over the room is the user's: a crowd's babble neither starts nor keeps
a turn, and the user speaking over it still does (real Silero VAD, espeak-ng talkers)."""

from __future__ import annotations

import numpy as np
import pytest

from os1.testing.crowd import crowd, noise_level
from os1.voice.audio import RATE, Samples
from os1.voice.background import MIN_HISTORY, Background
from os1.voice.tts import EspeakTTS
from os1.voice.vad import WINDOW, SileroVAD, TurnDetector, TurnEvent, TurnTiming


def windows(samples: Samples) -> list[Samples]:
    return [samples[i:i + WINDOW] for i in range(0, samples.size - WINDOW + 1, WINDOW)]


def test_a_window_counts_only_when_it_stands_out_over_the_rooms_level() -> None:
    room = Background(start_db=10.0, keep_db=9.0)
    noise = (np.random.default_rng(0).standard_normal(5 * RATE) * 0.01).astype(np.float32)  # steady hiss
    heard = [room.stands_out(w, in_turn=False) for w in windows(noise)]
    assert all(heard[:MIN_HISTORY])  # nothing known of the room yet
    assert sum(heard[MIN_HISTORY:]) == 0
    louder = noise[:WINDOW] * 10 ** (14 / 20)
    assert room.stands_out(louder, in_turn=False)
    assert not room.stands_out(noise[:WINDOW] * 10 ** (8 / 20), in_turn=True)
    assert Background(start_db=0.0, keep_db=0.0).stands_out(noise[:WINDOW], in_turn=False)


@pytest.fixture(scope="module")
def babble_and_line() -> tuple[Samples, Samples]:
    line = EspeakTTS("en-us+m3").synthesize("What should I cook tonight?")
    return crowd(12.0, seed=3) * noise_level([line], 10.0), line


def turns(timing: TurnTiming, audio: Samples) -> list[TurnEvent]:
    detector = TurnDetector(SileroVAD(), timing)
    return [e for e in detector.feed(audio) if e.kind in ("start", "end")]


def test_a_crowd_alone_starts_no_turn_but_the_vad_alone_hears_one(
        babble_and_line: tuple[Samples, Samples]) -> None:
    babble, _ = babble_and_line
    gated = turns(TurnTiming(), babble)
    assert [e for e in gated if e.kind == "start" and e.at > 3.5] == []  # once the room is known
    ungated = turns(TurnTiming(over_room_db=0.0, keep_over_room_db=0.0), babble)
    assert any(e.kind == "start" and e.at > 3.5 for e in ungated) or ungated[-1].kind == "start"


def test_the_user_over_a_crowd_is_one_turn_that_ends(babble_and_line: tuple[Samples, Samples]) -> None:
    babble, line = babble_and_line
    at = 5 * RATE
    audio = babble.copy()
    audio[at:at + line.size] += line
    events = [e for e in turns(TurnTiming(), audio) if e.at > 3.5]
    assert [e.kind for e in events] == ["start", "end"]
    start, end = events
    assert at / RATE - 0.3 <= start.at <= at / RATE + 0.5
    assert end.at <= (at + line.size) / RATE + 1.0
