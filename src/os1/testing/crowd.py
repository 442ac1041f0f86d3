"""A crowd to talk in, for benchmarks and tests: babble from several espeak-ng talkers, each
looping its own sentences from a random offset at its own level, plus pink-ish room noise; and
mixing it under speech at a stated signal-to-noise ratio measured over the voiced part only (so
pauses do not flatter the speech)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from os1.voice.audio import RATE, Samples
from os1.voice.tts import EspeakTTS, Style

CHATTER = [
    "Did you see the game last night? It went on forever.",
    "I told her we would be there by eight, but the train was late again.",
    "No, the other one, the blue one next to the window.",
    "We should get coffee before the meeting, there is a place round the corner.",
    "Honestly I think the price is far too high for what it is.",
    "My brother moved to the coast and he loves it there.",
    "Can you pass me the menu? I have not decided yet.",
    "The weather was lovely all week and then it rained on Saturday.",
    "She said the report would be ready on Monday, but I doubt it.",
    "Are we taking the bus or walking? It is only ten minutes.",
    "That film was much better than the first one, I thought.",
    "I lost my keys twice this week, can you believe it?",
]
TALKERS = [("en-us+m1", 150), ("en-us+f2", 170), ("en+m3", 160), ("en-us+f4", 140), ("en+m7", 175),
           ("en-us+f1", 155), ("en+m2", 165), ("en-us+m5", 145), ("en+f3", 160)]


def pink_noise(n: int, rng: np.random.Generator) -> Samples:
    """Noise whose power falls as 1/f (a room's hum and hiss), unit RMS."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / RATE)
    spectrum[1:] /= np.sqrt(freqs[1:])
    spectrum[0] = 0.0
    noise = np.fft.irfft(spectrum, n)
    return np.asarray(noise / (np.sqrt(np.mean(noise ** 2)) + 1e-12), dtype=np.float32)


def _rms(x: Samples) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0


def _talker(voice: str, rate: int, seconds: float, rng: np.random.Generator) -> Samples:
    """One person chatting on and on: the sentences in a shuffled loop from a random offset."""
    tts = EspeakTTS(voice, Style(rate=rate))
    lines = [tts.synthesize(CHATTER[i]) for i in rng.permutation(len(CHATTER))[:6]]
    gaps = [np.zeros(int(rng.uniform(0.1, 0.6) * RATE), dtype=np.float32) for _ in lines]
    loop = np.concatenate([part for pair in zip(lines, gaps, strict=True) for part in pair])
    n = int(seconds * RATE)
    start = int(rng.integers(loop.size))
    out = np.tile(loop, n // loop.size + 2)[start:start + n]
    return np.asarray(out / (_rms(out) + 1e-12), dtype=np.float32)


def crowd(seconds: float, *, talkers: int = 9, room_db: float = -10.0, seed: int = 0) -> Samples:
    """``seconds`` of babble from ``talkers`` voices at levels within 8 dB of one another, plus
    pink noise ``room_db`` below the babble, scaled to unit RMS."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    babble = np.zeros(n, dtype=np.float64)
    for voice, rate in (TALKERS * 2)[:talkers]:
        babble += _talker(voice, rate, seconds, rng) * 10 ** (rng.uniform(-8.0, 0.0) / 20)
    babble /= _rms(babble.astype(np.float32)) + 1e-12
    mixed = babble + pink_noise(n, rng) * 10 ** (room_db / 20)
    return (mixed / (_rms(mixed.astype(np.float32)) + 1e-12)).astype(np.float32)


def voiced_rms(speech: Samples, frame: int = RATE // 50, floor_db: float = -35.0) -> float:
    """RMS over the 20 ms frames within ``floor_db`` of the loudest one: the voiced part."""
    frames = speech[: speech.size // frame * frame].reshape(-1, frame)
    if frames.size == 0:
        return 0.0
    levels = np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1))
    voiced = frames[levels >= levels.max() * 10 ** (floor_db / 20)]
    return _rms(voiced.reshape(-1))


def mix(speech: Samples, noise: Samples, snr_db: float, offset: int = 0) -> Samples:
    """``speech`` with ``noise`` (from ``offset``, looped) under it at ``snr_db`` over the voiced part."""
    take = np.resize(np.roll(noise, -offset), speech.size)
    gain = voiced_rms(speech) / (10 ** (snr_db / 20) * (_rms(take) + 1e-12))
    return np.clip(speech + take * gain, -1.0, 1.0).astype(np.float32)


def noise_level(speech: Sequence[Samples], snr_db: float) -> float:
    """The noise RMS that puts typical ``speech`` (the median voiced level) at ``snr_db``."""
    return float(np.median([voiced_rms(s) for s in speech])) / 10 ** (snr_db / 20)


def crowded(clips: Sequence[Samples], snr_db: float, mixes: int = 5, seed: int = 2) -> list[list[Samples]]:
    """``clips`` under ``mixes`` different crowds at ``snr_db``, each clip at its own offset (7 s
    apart) into each crowd: scoring all of them together lets one word move the WER less."""
    out = []
    for m in range(mixes):
        babble = crowd(60.0, seed=seed + m)
        out.append([mix(clip, babble, snr_db, offset=i * 7 * RATE) for i, clip in enumerate(clips)])
    return out
