"""Voice activity: Silero VAD (v6, ONNX) run with onnxruntime, and the turn detector on top.

The Silero ONNX file comes from the faster-whisper wheel (``faster_whisper/assets``), which os1
already installs for speech-to-text; the ``silero-vad`` wheel ships the same network but requires
PyTorch, which os1 does not need. The model takes 512 new samples (32 ms at 16 kHz) plus the 64
before them, and carries a recurrent state between calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Protocol

import numpy as np
import onnxruntime as ort

from os1.errors import VoiceError
from os1.voice.audio import RATE, Samples
from os1.voice.background import Background
from os1.voice.speakable import reads_finished

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


class TurnModel(Protocol):
    """Reads a turn's audio so far: the probability that the speaker has finished."""

    def complete(self, samples: Samples) -> float: ...


@dataclass(frozen=True)
class TurnTiming:
    """When speech starts and when a turn is over, in milliseconds."""

    start_ms: int = 96  # this much speech (in a row) starts a turn
    end_silence_ms: int = 320  # this much silence ends it (no end-of-turn model)
    decide_ms: int = 128  # with a model: this much silence and it judges the turn...
    end_incomplete_ms: int = 1600  # ...a finished turn ends there, an unfinished one after this
    end_said_ms: int = 512  # ...or after this, if its words read as a finished sentence (0: never)
    complete_threshold: float = 0.5
    end_silence_over_ms: int = 700  # ...when the user speaks over os1 (it has paused; no hurry)
    # this much silence: a likely end, worth transcribing ahead (a "hold"); before the judging,
    # so that the words are ready with the verdict
    hold_ms: int = 64
    pre_roll_ms: int = 256  # audio kept from before the start, so the first word is whole
    threshold: float = 0.5
    max_turn_s: float = 60.0
    over_room_db: float = 10.0  # speech must stand this far above the room's level to start a turn
    keep_over_room_db: float = 9.0  # ...and this far to keep one going (0: the VAD alone)


@dataclass
class TurnEvent:
    kind: str  # "start" | "hold" (a pause that may be the end) | "judge" (ask the model) | "end"
    at: float  # stream time in seconds: when speech started, or when it ended (before the silence)
    audio: Samples = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    pause: int = 0  # which pause a "judge" is about


class TurnDetector:
    """Speech probabilities in, turn starts and ends out. A turn starts after ``start_ms`` of
    speech and ends after ``end_silence_ms`` of silence; an ``end`` carries the turn's audio.
    With an end-of-turn ``model``, a pause of ``decide_ms`` asks for a verdict (a ``judge``
    event: the caller runs the model, off the event loop, and hands the probability to
    ``verdict``): a finished turn ends then, an unfinished one ("and then... um") and one still
    being judged wait for ``end_incomplete_ms``, unless its words read as a finished sentence
    (``said_finished``: the model misjudges a finished sentence now and then, and the words catch
    most of those), which waits ``end_said_ms``. Every end after a wait is preceded, in the same
    pause, by a ``hold`` carrying the audio so far, so that speech-to-text can start while the
    detector waits to be sure. Speech counts only where it stands out over the room's own level
    (``Background``), so a crowd's babble neither starts a turn nor keeps one open."""

    def __init__(self, vad: SileroVAD, settings: TurnTiming, model: TurnModel | None = None) -> None:
        self.vad = vad
        self.settings = settings
        self.model = model  # run by the caller on each "judge"
        self._pause = 0  # counts pauses, so a late verdict on an earlier one is ignored
        self._finished: bool | None = None  # the verdict on the current pause
        self._said_finished = False  # its words read as a finished sentence
        self._windows: list[Samples] = []  # audio of the current turn (or the pre-roll)
        self._speech_run = 0
        self._silence_run = 0
        self._in_turn = False
        self._time = 0.0  # stream time at the end of the last window
        self._buffer = np.zeros(0, dtype=np.float32)
        self.over_os1 = False  # set by the listener at a start: wait longer for the end
        self.room = Background(settings.over_room_db, settings.keep_over_room_db)

    @property
    def in_turn(self) -> bool:
        return self._in_turn

    @property
    def ending_on_words(self) -> bool:
        """The turn will end after ``end_said_ms`` of silence (``said_finished``) unless the
        user goes on."""
        return self._in_turn and self._said_finished

    def feed(self, samples: Samples) -> list[TurnEvent]:
        self._buffer = np.concatenate([self._buffer, samples])
        events: list[TurnEvent] = []
        for prob in self.vad.probabilities(samples):
            window, self._buffer = self._buffer[:WINDOW], self._buffer[WINDOW:]
            self._time += WINDOW / RATE
            speech = prob >= self.settings.threshold
            events += self._step(window, self.room.stands_out(window, self._in_turn) and speech)
        return events

    def flush(self) -> TurnEvent | None:
        """End the turn in progress (the input has ended), if there is one."""
        if not self._in_turn:
            return None
        audio = np.concatenate(self._windows) if self._windows else np.zeros(0, dtype=np.float32)
        self._windows, self._speech_run, self._in_turn = [], 0, False
        return TurnEvent("end", self._time, audio)

    def _step(self, window: Samples, speech: bool) -> list[TurnEvent]:
        s = self.settings
        self._windows.append(window)
        if not self._in_turn:
            self._speech_run = self._speech_run + 1 if speech else 0
            keep = max(1, s.pre_roll_ms // WINDOW_MS) + self._speech_run
            self._windows = self._windows[-keep:]
            if self._speech_run * WINDOW_MS >= s.start_ms:
                self._in_turn, self._silence_run, self._finished = True, 0, None
                return [TurnEvent("start", self._time - self._speech_run * WINDOW / RATE)]
            return []
        if speech:
            self._silence_run, self._finished, self._said_finished = 0, None, False
        elif self._silence_run == 0:
            self._silence_run, self._pause = 1, self._pause + 1
        else:
            self._silence_run += 1
        too_long = len(self._windows) * WINDOW / RATE >= s.max_turn_s
        end_ms = self._end_ms()
        events = []
        judging = self.model is not None and not self.over_os1
        if judging and self._silence_run == self.windows_for(s.decide_ms):
            events.append(TurnEvent("judge", self._pause_start(), np.concatenate(self._windows), self._pause))
        if self._silence_run == self.windows_for(s.hold_ms) and not too_long and end_ms > s.hold_ms:
            events.append(TurnEvent("hold", self._pause_start(), np.concatenate(self._windows), self._pause))
        if self._silence_run * WINDOW_MS >= end_ms or too_long:
            events.append(self._ended())
        return events

    def verdict(self, pause: int, probability: float) -> TurnEvent | None:
        """The model's verdict on ``pause``: the turn's end if it is finished and still silent."""
        if pause != self._pause or not self._in_turn or self._silence_run == 0:
            return None
        self._finished = probability >= self.settings.complete_threshold
        return self._ended() if self._finished else None

    def said_finished(self, pause: int) -> TurnEvent | None:
        """The words of ``pause``'s turn so far read as a finished sentence, though the model
        judged it unfinished: it ends after ``end_said_ms`` of silence (now, if that has
        passed) instead of ``end_incomplete_ms``."""
        s = self.settings
        if (pause != self._pause or not self._in_turn or self._silence_run == 0
                or self._finished is not False or not s.end_said_ms):
            return None
        self._said_finished = True
        return self._ended() if self._silence_run * WINDOW_MS >= s.end_said_ms else None

    def _ended(self) -> TurnEvent:
        audio = np.concatenate(self._windows)
        ended = self._pause_start()
        self._windows, self._speech_run, self._in_turn = [], 0, False
        return TurnEvent("end", ended, audio)

    def _pause_start(self) -> float:
        return self._time - self._silence_run * WINDOW / RATE

    @staticmethod
    def windows_for(ms: int) -> int:
        return max(1, -(-ms // WINDOW_MS))

    def _end_ms(self) -> int:
        """The silence that ends this pause: the fixed rule, or what the model's verdict allows."""
        s = self.settings
        if self.over_os1:
            return s.end_silence_over_ms
        if self.model is None:
            return s.end_silence_ms
        if self._finished:
            return s.decide_ms
        return s.end_said_ms if self._said_finished else s.end_incomplete_ms


def judged(detector: TurnDetector, samples: Samples,
           hear: Callable[[Samples], str] | None = None) -> list[TurnEvent]:
    """``feed`` with each ``judge`` answered right after by the detector's model and, where it
    judged the turn unfinished, by ``hear``'s words (speech to text) of the audio its hold
    carried, as a conversation transcribes it; in this thread (benchmarks and tests; a
    conversation runs both off the event loop)."""
    events = detector.feed(samples)
    s = detector.settings
    after_hold = max(0, detector.windows_for(s.decide_ms) - detector.windows_for(s.hold_ms)) * WINDOW
    for event in [e for e in events if e.kind == "judge"]:
        if detector.model is None:
            continue
        end = detector.verdict(event.pause, detector.model.complete(event.audio))
        held = event.audio[:event.audio.size - after_hold]
        if end is None and hear is not None and reads_finished(hear(held)):
            end = detector.said_finished(event.pause)
        events += [end] if end is not None else []
    return events
