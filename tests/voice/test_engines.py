"""The real engines on real speech: Silero turn detection, Whisper and pocketsphinx WER on clips
nobody on the team recorded, and the voices read back by Whisper."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from os1.errors import VoiceError
from os1.testing.wer import speech_clips, word_error_rate
from os1.voice.audio import RATE, read_audio, silence
from os1.voice.stt import PocketsphinxSTT, WhisperSTT
from os1.voice.tts import EspeakTTS, PiperTTS
from os1.voice.vad import SileroVAD, TurnDetector, TurnTiming

pytestmark = pytest.mark.integration


def test_whisper_wer_on_real_speech(speech_dir: Path, whisper: WhisperSTT) -> None:
    clips = speech_clips(speech_dir)
    assert len(clips) == 5
    hyps = [whisper.transcribe(read_audio(path)) for path, _ in clips]
    wer = word_error_rate([ref for _, ref in clips], hyps)
    print(f"whisper tiny.en WER {wer:.3f}")
    assert wer <= 0.05


def test_pocketsphinx_wer_on_real_speech(speech_dir: Path) -> None:
    clips = speech_clips(speech_dir)
    engine = PocketsphinxSTT()
    hyps = [engine.transcribe(read_audio(path)) for path, _ in clips]
    wer = word_error_rate([ref for _, ref in clips], hyps)
    print(f"pocketsphinx WER {wer:.3f}")
    assert wer <= 0.5  # the light fallback: far weaker than Whisper, but it understands


def test_silence_and_noise_transcribe_to_nothing(whisper: WhisperSTT) -> None:
    assert whisper.transcribe(silence(2.0)) == ""
    assert whisper.transcribe(np.zeros(10, dtype=np.float32)) == ""


def test_turn_detector_cuts_real_speech_at_its_pauses(speech_dir: Path) -> None:
    clip = read_audio(speech_dir / "goforward.wav")
    stream = np.concatenate([silence(1.0), clip, silence(1.5), clip, silence(1.0)])
    detector = TurnDetector(SileroVAD(), TurnTiming())
    events = []
    for start in range(0, stream.size, 320):
        events += detector.feed(stream[start:start + 320])
    kinds = [e.kind for e in events]
    assert kinds == ["start", "end", "start", "end"]
    first_start, first_end = events[0].at, events[1].at
    assert 1.0 <= first_start <= 1.0 + len(clip) / RATE
    assert first_end <= 1.0 + len(clip) / RATE + 0.1
    assert events[1].audio.size >= 0.5 * RATE


def test_no_turns_in_silence_or_hum() -> None:
    t = np.arange(3 * RATE) / RATE
    hum = (0.05 * np.sin(2 * np.pi * 50 * t)).astype(np.float32)
    detector = TurnDetector(SileroVAD(), TurnTiming())
    assert detector.feed(np.concatenate([silence(2.0), hum])) == []


@pytest.mark.parametrize("engine", ["espeak", "piper"])
def test_voices_are_understood(engine: str, whisper: WhisperSTT) -> None:
    tts = EspeakTTS() if engine == "espeak" else PiperTTS()
    text = "I was thinking about the ocean today."
    audio = tts.synthesize(text)
    assert audio.dtype == np.float32 and 1.0 < audio.size / RATE < 6.0
    assert word_error_rate([text], [whisper.transcribe(audio)]) <= 0.2


def test_speech_is_never_made_from_markup_or_control_characters() -> None:
    assert EspeakTTS().synthesize("** \x00 ` #").size == 0


def test_bad_audio_files_get_one_line_errors(tmp_path: Path) -> None:
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "text.wav").write_text("not audio at all")
    (tmp_path / "junk.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(range(256)) * 4)
    for name in ("empty.wav", "text.wav", "junk.wav", "missing.wav"):
        with pytest.raises(VoiceError) as caught:
            read_audio(tmp_path / name)
        assert "\n" not in str(caught.value)
