"""End of turn by what was said and how: Smart Turn v3.2 (Daily, BSD-2), an int8 ONNX network on
Whisper tiny's encoder that reads the last 8 seconds of a turn and says how likely it is that the
speaker has finished (falling pitch, a complete phrase) rather than paused mid-thought ("and
then... um").

The model ships only inside the ``pipecat-ai`` wheel on PyPI. ``scripts/setup`` downloads that
wheel (pinned by version and hash, without its dependencies), keeps the ONNX file and its licence
under ``.venv/share/os1/`` and throws the rest away; os1 never downloads it at run time. Without
it the turn detector ends turns on silence alone.

The features are Whisper's log-mel spectrogram (80 bands, 25 ms windows every 10 ms, 8 s), with
the waveform normalised first, as ``transformers.WhisperFeatureExtractor`` computes them.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import numpy as np
import onnxruntime as ort

from os1.errors import VoiceError
from os1.voice.audio import RATE, Samples

MODEL_NAME = "smart-turn-v3.2-cpu.onnx"
SECONDS = 8
N_FFT = 400
HOP = 160
N_MELS = 80


def smart_turn_path() -> Path:
    """Where ``scripts/setup`` puts the model."""
    return Path(sys.prefix) / "share" / "os1" / MODEL_NAME


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale: linear below 1 kHz, logarithmic above."""
    mel = 3.0 * hz / 200.0
    log = hz >= 1000.0
    mel[log] = 15.0 + np.log(hz[log] / 1000.0) * 27.0 / np.log(6.4)
    return mel


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    hz = 200.0 * mel / 3.0
    log = mel >= 15.0
    hz[log] = 1000.0 * np.exp(np.log(6.4) / 27.0 * (mel[log] - 15.0))
    return hz


@cache
def _mel_filters() -> np.ndarray:
    """Triangular, area-normalised mel filters, shape (N_FFT // 2 + 1, N_MELS)."""
    edges = _mel_to_hz(np.linspace(0.0, float(_hz_to_mel(np.array([RATE / 2]))[0]), N_MELS + 2))
    bins = np.linspace(0, RATE // 2, N_FFT // 2 + 1)
    slopes = edges[None, :] - bins[:, None]
    widths = np.diff(edges)
    filters = np.maximum(0.0, np.minimum(-slopes[:, :-2] / widths[:-1], slopes[:, 2:] / widths[1:]))
    return np.asarray(filters * (2.0 / (edges[2:] - edges[:-2]))[None, :], dtype=np.float64)


def log_mel(samples: Samples) -> np.ndarray:
    """Whisper features of the last 8 seconds (zeros before a shorter turn), shape (80, 800)."""
    n = SECONDS * RATE
    x = np.asarray(samples, dtype=np.float32)[-n:]
    x = np.pad(x, (n - x.size, 0))
    x = (x - x.mean()) / np.sqrt(x.var() + 1e-7)
    padded = np.pad(x.astype(np.float64), N_FFT // 2, mode="reflect")
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP]
    power = np.abs(np.fft.rfft(frames * np.hanning(N_FFT + 1)[:-1], axis=-1)) ** 2
    spec = np.log10(np.maximum(1e-10, power @ _mel_filters())).T[:, :-1]
    spec = np.maximum(spec, spec.max() - 8.0)
    return np.asarray((spec + 4.0) / 4.0, dtype=np.float32)


class SmartTurn:
    """The probability that a turn's audio so far is a finished turn."""

    def __init__(self, path: Path | None = None) -> None:
        path = path or smart_turn_path()
        if not path.is_file():
            raise VoiceError(f"no end-of-turn model at {path}: run scripts/setup to fetch it")
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 4
        self._session = ort.InferenceSession(str(path), sess_options=options,
                                             providers=["CPUExecutionProvider"])

    def complete(self, samples: Samples) -> float:
        features = log_mel(samples)[None, :, :]
        out = self._session.run(None, {"input_features": features})
        return float(np.asarray(out[0]).reshape(-1)[0])


def load_turn_model(path: Path | None) -> SmartTurn | None:
    """The configured model, the one setup fetched, or None (turns end on silence alone)."""
    if path is None and not smart_turn_path().is_file():
        return None
    return SmartTurn(path)
