"""Listening: what a piece of music is like, heard with librosa (the field's standard library
for music analysis), plus the file's own tags read with mutagen.

Tempo comes from librosa's beat tracker; key and mode from the mean chroma correlated with the
Krumhansl-Kessler key profiles in all 24 keys; loudness and energy from the RMS envelope; the
brightness of the sound from the spectral centroid; the shape over time from the loudness of
each quarter. Mood is read from two axes, as music psychology does: arousal (tempo and energy)
and valence (mode and brightness). CPU-bound: callers run ``hear`` off the event loop.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from os1.errors import InputError

SAMPLE_RATE = 22_050
MAX_SECONDS = 600.0  # longer files are heard up to here
MAX_AUDIO_BYTES = 200 * 1024 * 1024
PITCHES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
# Krumhansl & Kessler (1982) probe-tone profiles, tonic first
MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
TAG_KEYS = ("title", "artist", "album", "date", "genre")


@dataclass(frozen=True)
class Hearing:
    """What os1 heard in one piece of music."""

    duration: float  # seconds heard
    tempo: float  # beats per minute
    key: str  # tonic, e.g. "A"
    mode: str  # "major" or "minor"
    key_strength: float  # correlation of the best key profile, -1 to 1
    loudness_db: float  # mean RMS level in dBFS
    energy: float  # 0 (silence) to 1 (loud throughout)
    brightness_hz: float  # mean spectral centroid
    shape: tuple[float, ...]  # relative loudness of each quarter, 0 to 1
    mood: str
    tags: dict[str, str] = field(default_factory=dict)
    digest: str = ""  # SHA-256 of the file

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def hear(path: Path) -> Hearing:
    """Listen to an audio file (CPU-bound)."""
    data = _read(path)
    y = _decode(path)
    if y.size < SAMPLE_RATE or float(np.max(np.abs(y))) < 1e-4:
        raise InputError(f"{path} is silent or shorter than a second: nothing to listen to")
    tempo = _tempo(y)
    key, mode, strength = estimate_key(y)
    rms = _rms(y)
    loudness = float(20 * np.log10(max(float(np.mean(rms)), 1e-6)))
    arousal = min(1.0, max(0.0, (tempo - 60) / 100)) * 0.5 + min(1.0, float(np.mean(rms)) * 5) * 0.5
    centroid = _centroid(y)
    return Hearing(
        duration=round(y.size / SAMPLE_RATE, 2), tempo=round(tempo, 1), key=key, mode=mode,
        key_strength=round(strength, 3), loudness_db=round(loudness, 1),
        energy=round(min(1.0, float(np.mean(rms)) * 5), 3), brightness_hz=round(centroid, 1),
        shape=_shape(rms), mood=mood(arousal, mode, centroid), tags=read_tags(path),
        digest=hashlib.sha256(data).hexdigest())


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_AUDIO_BYTES:
            raise InputError(f"{path} is too large to listen to (over {MAX_AUDIO_BYTES:,} bytes)")
        return path.read_bytes()
    except IsADirectoryError:
        raise InputError(f"{path} is a directory, not a song") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None


def _decode(path: Path) -> npt.NDArray[np.float32]:
    import librosa
    import soundfile

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # librosa warns when it falls back to audioread
            y, _ = librosa.load(path, sr=SAMPLE_RATE, mono=True, duration=MAX_SECONDS)
    except (soundfile.LibsndfileError, RuntimeError, EOFError, ValueError, OSError) as exc:
        raise InputError(f"{path} is not an audio file os1 can read ({_first_line(exc)})") from None
    except Exception as exc:  # audioread's decoders raise their own classes
        raise InputError(f"{path} is not an audio file os1 can read (unknown or damaged format:"
                         f" {type(exc).__name__})") from None
    if not np.all(np.isfinite(y)):
        raise InputError(f"{path} holds damaged audio (not finite samples)")
    return np.asarray(y, dtype=np.float32)


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:120]


def _tempo(y: npt.NDArray[np.float32]) -> float:
    import librosa

    onset = librosa.onset.onset_strength(y=y, sr=SAMPLE_RATE)  # type: ignore[attr-defined]
    tempo = librosa.feature.tempo(onset_envelope=onset, sr=SAMPLE_RATE, aggregate=np.median)
    return float(np.ravel(tempo)[0])


def estimate_key(y: npt.NDArray[np.float32]) -> tuple[str, str, float]:
    """Tonic, mode and strength: the key profile best correlated with the mean chroma."""
    import librosa

    chroma = librosa.feature.chroma_cqt(y=y, sr=SAMPLE_RATE).mean(axis=1)
    return key_from_chroma(chroma)


def key_from_chroma(chroma: npt.NDArray[np.floating[Any]]) -> tuple[str, str, float]:
    best = ("C", "major", -2.0)
    for tonic in range(12):
        for mode, profile in (("major", MAJOR), ("minor", MINOR)):
            r = float(np.corrcoef(np.roll(profile, tonic), chroma)[0, 1])
            if r > best[2]:
                best = (PITCHES[tonic], mode, r)
    return best


def _rms(y: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    import librosa

    return np.asarray(librosa.feature.rms(y=y)[0], dtype=np.float32)


def _centroid(y: npt.NDArray[np.float32]) -> float:
    import librosa

    return float(np.mean(librosa.feature.spectral_centroid(y=y, sr=SAMPLE_RATE)))


def _shape(rms: npt.NDArray[np.float32]) -> tuple[float, ...]:
    quarters = [float(q.mean()) for q in np.array_split(rms, 4)]
    top = max(quarters) or 1.0
    return tuple(round(q / top, 2) for q in quarters)


def mood(arousal: float, mode: str, brightness_hz: float) -> str:
    """A mood word pair from arousal (0-1) and valence (mode, and a bright or dark sound)."""
    bright = mode == "major" or brightness_hz > 2500
    if arousal >= 0.5:
        return "bright and lively" if bright else "restless and driving"
    return "calm and warm" if bright else "melancholy and tender"


def read_tags(path: Path) -> dict[str, str]:
    """Title, artist, album, date and genre from the file's tags (data, kept short)."""
    import mutagen

    try:
        found = mutagen.File(path, easy=True)
    except Exception:  # damaged tags never stop the listening
        return {}
    if found is None or found.tags is None:
        return {}
    tags: dict[str, str] = {}
    for key in TAG_KEYS:
        values = found.tags.get(key) if hasattr(found.tags, "get") else None
        if values:
            text = " ".join(str(values[0]).split())
            tags[key] = "".join(c for c in text if c.isprintable())[:120]
    return tags


def describe(hearing: Hearing) -> str:
    """What os1 heard, in a few plain sentences."""
    name = hearing.tags.get("title")
    by = hearing.tags.get("artist")
    opening = f'"{name}"' + (f" by {by}" if by else "") if name else "This"
    loud = "quiet" if hearing.loudness_db < -30 else "loud" if hearing.loudness_db > -12 else "moderate"
    lines = [f"{opening} is in {hearing.key} {hearing.mode}, around {round(hearing.tempo)} beats a minute,"
             f" {loud} and {hearing.mood}."]
    lines.append(f"Over its {_length(hearing.duration)} it {shape_words(hearing.shape)}.")
    return " ".join(lines)


def _length(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} seconds"


def shape_words(shape: tuple[float, ...]) -> str:
    """How loudness moves across the quarters, in words."""
    first, last, peak = shape[0], shape[-1], int(np.argmax(shape))
    if max(shape) - min(shape) < 0.2:
        return "stays level"
    if last > first + 0.2:
        return "builds towards the end"
    if first > last + 0.2:
        return "fades away" if peak == 0 else "rises, then fades away"
    return "swells in the middle and settles again"
