"""Audio as os1 handles it inside: mono float32 samples in [-1, 1] at 16 kHz, the rate the VAD and
Whisper work at. Files are read with libsndfile (``soundfile``) and resampled with libsoxr
(``soxr``); the wire format (WebSocket, raw PCM) is 16-bit little-endian."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf
import soxr

from os1.errors import BadAudio, VoiceError
from os1.files import open_private

RATE = 16_000
Samples = npt.NDArray[np.float32]
MAX_FILE_SECONDS = 3600.0


def silence(seconds: float) -> Samples:
    return np.zeros(round(seconds * RATE), dtype=np.float32)


def resample(samples: Samples, rate: int) -> Samples:
    """Samples at ``rate`` brought to 16 kHz."""
    if rate == RATE or samples.size == 0:
        return samples.astype(np.float32, copy=False)
    return np.asarray(soxr.resample(samples, rate, RATE), dtype=np.float32)


def read_audio(path: Path) -> Samples:
    """A sound file (WAV, FLAC, OGG, ...) as mono 16 kHz samples, or one-line VoiceError."""
    try:
        found = path.is_file()
    except OSError as exc:  # a name too long for the file system, say
        raise BadAudio(f"cannot read {path}: {exc.strerror}") from None
    if not found:
        raise BadAudio(f"no such audio file: {path}")
    try:
        info = sf.info(str(path))
        if info.duration > MAX_FILE_SECONDS:
            raise BadAudio(f"{path} is {info.duration / 60:.0f} minutes long; the limit is "
                             f"{MAX_FILE_SECONDS / 60:.0f}")
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        raise BadAudio(f"{path} is not a readable audio file ({exc})") from None
    if data.size == 0:
        raise BadAudio(f"{path} holds no audio")
    mono: Samples = data.mean(axis=1, dtype=np.float32)
    if not np.isfinite(mono).all():
        raise BadAudio(f"{path} holds invalid samples (NaN or infinity)")
    return resample(mono, rate)


def write_wav(path: Path, samples: Samples) -> None:
    """16-bit mono WAV at 16 kHz."""
    try:
        with open_private(path) as out:  # what was said aloud stays the user's
            sf.write(out, np.clip(samples, -1.0, 1.0), RATE, subtype="PCM_16", format="WAV")
    except (sf.LibsndfileError, RuntimeError, OSError) as exc:
        raise VoiceError(f"cannot write {path}: {exc}") from None


def to_pcm16(samples: Samples) -> bytes:
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def from_pcm16(data: bytes) -> Samples:
    """16-bit little-endian PCM bytes as samples (a trailing odd byte is dropped)."""
    usable = len(data) - len(data) % 2
    return (np.frombuffer(data[:usable], dtype="<i2").astype(np.float32) / 32768.0)


def duration(samples: Samples) -> float:
    return samples.size / RATE
