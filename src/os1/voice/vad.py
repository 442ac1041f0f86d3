"""Voice activity: Silero VAD (v6, ONNX) run with onnxruntime, and the turn detector on top.

The Silero ONNX file comes from the faster-whisper wheel (``faster_whisper/assets``), which os1
already installs for speech-to-text; the ``silero-vad`` wheel ships the same network but requires
PyTorch, which os1 does not need. The model takes 512 new samples (32 ms at 16 kHz) plus the 64
before them, and carries a recurrent state between calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import numpy as np
import onnxruntime as ort

from os1.errors import VoiceError
from os1.voice.audio import RATE, Samples

WINDOW = 512
CONTEXT = 64
WINDOW_MS = WINDOW * 1000 // RATE  # 32


def silero_path() -> Path:
    try:
        return Path(str(files("faster_whisper") / "assets" / "silero_vad_v6.onnx"))
    except ModuleNotFoundError:
        raise VoiceError("voice activity detection needs faster-whisper (its Silero model): "
                         "pip install faster-whisper") from None


class SileroVAD:
    """Speech probability per 32 ms window, streaming: feed any number of samples, get one
    probability per completed window."""

    def __init__(self, path: Path | None = None) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 4
        self._session = ort.InferenceSession(str(path or silero_path()), sess_options=options,
                                             providers=["CPUExecutionProvider"])
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)

    def probabilities(self, samples: Samples) -> list[float]:
        self._pending = np.concatenate([self._pending, samples])
        out: list[float] = []
        while self._pending.size >= WINDOW:
            window, self._pending = self._pending[:WINDOW], self._pending[WINDOW:]
            batch = np.concatenate([self._context, window])[None, :]
            prob, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
            self._context = window[-CONTEXT:]
            out.append(float(np.asarray(prob).reshape(-1)[0]))
        return out


@dataclass(frozen=True)
class TurnTiming:
    """When speech starts and when a turn is over, in milliseconds."""

    start_ms: int = 96  # this much speech (in a row) starts a turn
    end_silence_ms: int = 320  # this much silence ends it
    end_silence_over_ms: int = 700  # ...when the user speaks over os1 (it has paused; no hurry)
    pre_roll_ms: int = 256  # audio kept from before the start, so the first word is whole
    threshold: float = 0.5
    max_turn_s: float = 60.0


@dataclass
class TurnEvent:
    kind: str  # "start" | "end"
    at: float  # stream time in seconds: when speech started, or when it ended (before the silence)
    audio: Samples = field(default_factory=lambda: np.zeros(0, dtype=np.float32))


class TurnDetector:
    """Speech probabilities in, turn starts and ends out. A turn starts after ``start_ms`` of
    speech and ends after ``end_silence_ms`` of silence; an ``end`` carries the turn's audio."""

    def __init__(self, vad: SileroVAD, settings: TurnTiming) -> None:
        self.vad = vad
        self.settings = settings
        self._windows: list[Samples] = []  # audio of the current turn (or the pre-roll)
        self._speech_run = 0
        self._silence_run = 0
        self._in_turn = False
        self._time = 0.0  # stream time at the end of the last window
        self._buffer = np.zeros(0, dtype=np.float32)
        self.over_os1 = False  # set by the listener at a start: wait longer for the end

    @property
    def in_turn(self) -> bool:
        return self._in_turn

    def feed(self, samples: Samples) -> list[TurnEvent]:
        self._buffer = np.concatenate([self._buffer, samples])
        events: list[TurnEvent] = []
        for prob in self.vad.probabilities(samples):
            window, self._buffer = self._buffer[:WINDOW], self._buffer[WINDOW:]
            self._time += WINDOW / RATE
            event = self._step(window, prob >= self.settings.threshold)
            if event is not None:
                events.append(event)
        return events

    def _step(self, window: Samples, speech: bool) -> TurnEvent | None:
        s = self.settings
        self._windows.append(window)
        if not self._in_turn:
            self._speech_run = self._speech_run + 1 if speech else 0
            keep = max(1, s.pre_roll_ms // WINDOW_MS) + self._speech_run
            self._windows = self._windows[-keep:]
            if self._speech_run * WINDOW_MS >= s.start_ms:
                self._in_turn, self._silence_run = True, 0
                return TurnEvent("start", self._time - self._speech_run * WINDOW / RATE)
            return None
        self._silence_run = 0 if speech else self._silence_run + 1
        too_long = len(self._windows) * WINDOW / RATE >= s.max_turn_s
        end_ms = s.end_silence_over_ms if self.over_os1 else s.end_silence_ms
        if self._silence_run * WINDOW_MS >= end_ms or too_long:
            audio = np.concatenate(self._windows)
            ended = self._time - self._silence_run * WINDOW / RATE
            self._windows, self._speech_run, self._in_turn = [], 0, False
            return TurnEvent("end", ended, audio)
        return None
