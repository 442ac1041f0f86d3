"""Voice fixtures: the real engines, loaded once per session, and the real speech clips."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from os1.voice.audio import Samples, silence
from os1.voice.stt import WhisperSTT
from os1.voice.tts import PiperTTS, TextToSpeech

SPEECH = Path(__file__).resolve().parents[2].parent / "shared" / "bench" / "speech"


@pytest.fixture(scope="session")
def speech_dir() -> Path:
    if not (SPEECH / "refs.tsv").is_file():
        pytest.fail(f"the real speech clips are missing: {SPEECH}")
    return SPEECH


@pytest.fixture(scope="session")
def whisper() -> WhisperSTT:
    return WhisperSTT()


@pytest.fixture(scope="session")
def user_voice() -> TextToSpeech:
    """A natural voice unlike os1's (espeak-ng), to play the user."""
    return PiperTTS()


def script(voice: TextToSpeech, *parts: str | float) -> Samples:
    """A recording: strings are spoken, numbers are seconds of silence."""
    pieces = [silence(p) if isinstance(p, float) else voice.synthesize(p) for p in parts]
    return np.concatenate(pieces)
