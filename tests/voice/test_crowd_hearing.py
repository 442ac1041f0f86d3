"""Speech in a crowd is heard by the larger Whisper, speech in a quiet room by the quick one: the
choice reads the audio alone (how far its loud moments stand over its quiet ones), so `os1 talk`
and `os1 transcribe` choose alike. Real clips, real crowds (espeak-ng babble), real models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from os1.config import VoiceSettings
from os1.testing.crowd import crowded
from os1.testing.wer import speech_clips, word_error_rate
from os1.voice.audio import RATE, Samples, read_audio, silence
from os1.voice.background import spread_db
from os1.voice.engines import load_stt
from os1.voice.stt import RoomAware, WhisperSTT, fetched_whisper_base


class Named:
    def __init__(self, name: str) -> None:
        self.name = name

    def transcribe(self, samples: Samples) -> str:
        return self.name


def test_the_spread_of_a_voice_in_a_quiet_room_and_in_noise() -> None:
    rng = np.random.default_rng(0)
    tone = np.sin(np.arange(RATE) * 2 * np.pi * 220 / RATE).astype(np.float32) * 0.3
    voice = np.concatenate([tone, silence(0.5), tone, silence(0.5)])  # words and pauses
    hiss = (rng.standard_normal(voice.size) * 0.05).astype(np.float32)
    assert spread_db(voice + hiss * 0.001) > 40
    assert spread_db(voice + hiss) < 20
    assert spread_db(np.zeros(100, dtype=np.float32)) == float("inf")  # too short to judge: quiet


def test_room_aware_hears_each_utterance_with_the_engine_its_room_calls_for() -> None:
    hearing = RoomAware(Named("quiet"), Named("crowd"), crowd_below_db=20.0)
    rng = np.random.default_rng(1)
    tone = np.sin(np.arange(RATE) * 2 * np.pi * 200 / RATE).astype(np.float32) * 0.3
    said = np.concatenate([tone, silence(0.4), tone])
    assert hearing.transcribe(said) == "quiet"
    assert hearing.transcribe(said + (rng.standard_normal(said.size) * 0.08).astype(np.float32)) == "crowd"
    assert RoomAware(Named("quiet"), Named("crowd"), crowd_below_db=0.0).transcribe(said * 0) == "quiet"
    noisy_and_short = (tone[: RATE // 2] + rng.standard_normal(RATE // 2) * 0.08).astype(np.float32)
    assert hearing.transcribe(noisy_and_short) == "quiet"  # too short to judge the room by


@pytest.mark.integration
def test_the_configured_engine_hears_a_crowd_with_whisper_base(speech_dir: Path) -> None:
    base = fetched_whisper_base()
    assert base is not None, "scripts/setup fetches Whisper base into .venv/share/os1/whisper-base"
    hearing = load_stt(VoiceSettings())
    assert isinstance(hearing, RoomAware)
    assert hearing.name == "whisper:tiny.en, whisper:base in a crowd"
    assert load_stt(VoiceSettings(crowd_below_db=0)).name == "whisper:tiny.en"  # the choice turned off
    own = load_stt(VoiceSettings(whisper_model=base))  # a model of the user's own choosing hears all
    assert not isinstance(own, RoomAware) and own.name == "whisper:base"
    pairs = speech_clips(speech_dir)
    clean = [read_audio(path) for path, _ in pairs]
    in_crowd = crowded(clean, 10.0, mixes=1)[0]
    assert [hearing.choose(c) is hearing.quiet for c in clean] == [True] * len(clean)
    assert [hearing.choose(c) is hearing.crowd for c in in_crowd] == [True] * len(in_crowd)
    references = [text for _, text in pairs]
    tiny = WhisperSTT()
    by_tiny = word_error_rate(references, [tiny.transcribe(c) for c in in_crowd])
    by_hearing = word_error_rate(references, [hearing.transcribe(c) for c in in_crowd])
    assert by_hearing <= by_tiny  # the larger model hears the crowd at least as well
    assert word_error_rate(references, [hearing.transcribe(c) for c in clean]) <= 0.05
