"""The shared front end (WebRTC noise suppression) and the crowd the benchmarks talk in."""

from __future__ import annotations

import numpy as np

from os1.testing.crowd import crowded, mix, pink_noise, voiced_rms
from os1.voice.audio import RATE
from os1.voice.echo import NoiseSuppressor, front_end


def test_noise_suppression_keeps_the_recordings_length_and_lowers_steady_noise() -> None:
    noise = pink_noise(2 * RATE + 77, np.random.default_rng(0)) * 0.05
    cleaned = NoiseSuppressor().recording(noise)
    assert cleaned.size == noise.size
    assert np.sqrt(np.mean(cleaned[RATE:] ** 2)) < np.sqrt(np.mean(noise[RATE:] ** 2))


def test_the_front_end_is_off_unless_asked_for() -> None:
    assert front_end(False) is None
    assert isinstance(front_end(True), NoiseSuppressor)


def test_speech_is_mixed_at_the_stated_snr_over_its_voiced_part() -> None:
    t = np.arange(RATE) / RATE
    tone = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    speech = np.concatenate([tone, np.zeros(RATE, dtype=np.float32)])  # half of it a pause
    noise = pink_noise(3 * RATE, np.random.default_rng(1))
    mixed = mix(speech, noise, 10.0)
    added = mixed - speech
    snr = 20 * np.log10(voiced_rms(speech) / np.sqrt(np.mean(added ** 2)))
    assert abs(snr - 10.0) < 0.5


def test_clips_are_mixed_under_several_crowds_each_at_the_stated_snr() -> None:
    t = np.arange(RATE) / RATE
    clips = [(0.2 * np.sin(2 * np.pi * f * t)).astype(np.float32) for f in (180, 260)]
    mixes = crowded(clips, 10.0, mixes=2)
    assert [len(m) for m in mixes] == [2, 2]
    assert all(m.size == c.size for mixed in mixes for m, c in zip(mixed, clips, strict=True))
    assert not np.allclose(mixes[0][0], mixes[1][0])  # two different crowds
    for mixed in mixes:
        for m, c in zip(mixed, clips, strict=True):
            snr = 20 * np.log10(voiced_rms(c) / np.sqrt(np.mean((m - c) ** 2)))
            assert abs(snr - 10.0) < 0.5
