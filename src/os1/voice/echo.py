"""The microphone's front end: WebRTC's audio processing module (AEC3, noise suppression,
high-pass filter) as the ``livekit`` wheel ships it.

``EchoCanceller`` lets os1 listen while it speaks on loudspeakers without hearing itself: what the
speaker plays goes in as the far end; the microphone comes out with os1's own voice removed and
the room's steady noise suppressed. ``NoiseSuppressor`` is the same without a far end: what
``os1 transcribe`` and a conversation without echo cancelling hear, so the two agree on a file.

WebRTC processes 10 ms frames of 16-bit audio; the two directions may be fed from different
threads (a sound card's callbacks), so one lock orders them.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from os1.voice.audio import RATE, Samples

FRAME = RATE // 100  # 10 ms


def echo_cancelling_available() -> bool:
    try:
        from livekit import rtc  # noqa: F401
    except ImportError:
        return False
    return True


def front_end(suppress: bool) -> NoiseSuppressor | None:
    """What cleans the microphone when there is no echo to cancel: noise suppression if asked
    for (and livekit is installed), else nothing."""
    return NoiseSuppressor() if suppress and echo_cancelling_available() else None


class NoiseSuppressor:
    """The microphone in, steady noise (hum, hiss, fans, a room's rumble) suppressed."""

    echo_cancellation = False

    def __init__(self) -> None:
        from livekit import rtc

        self._rtc: Any = rtc
        self._apm = rtc.AudioProcessingModule(echo_cancellation=self.echo_cancellation,
                                              noise_suppression=True, high_pass_filter=True)
        self._lock = threading.Lock()
        self._near = np.zeros(0, dtype=np.float32)

    def _frame(self, samples: Samples) -> Any:
        pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype(np.int16).tobytes()
        return self._rtc.AudioFrame(pcm, RATE, 1, FRAME)

    def near(self, samples: Samples) -> Samples:
        """Microphone audio cleaned (delayed by under 10 ms)."""
        out: list[Samples] = []
        with self._lock:
            self._near = np.concatenate([self._near, samples])
            while self._near.size >= FRAME:
                frame = self._frame(self._near[:FRAME])
                self._apm.process_stream(frame)
                out.append(np.frombuffer(frame.data, dtype=np.int16).astype(np.float32) / 32768.0)
                self._near = self._near[FRAME:]
        return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)

    def recording(self, samples: Samples) -> Samples:
        """A whole recording cleaned, as long as it came in."""
        padded = np.concatenate([samples, np.zeros(-samples.size % FRAME, dtype=np.float32)])
        return self.near(padded)[:samples.size]


class EchoCanceller(NoiseSuppressor):
    """Far end (what was played) in, near end (the microphone) cleaned."""

    echo_cancellation = True

    def __init__(self, delay_ms: int = 50) -> None:
        super().__init__()
        self._apm.set_stream_delay_ms(delay_ms)
        self._far = np.zeros(0, dtype=np.float32)

    def far(self, samples: Samples) -> None:
        """Audio that has just gone to the speaker."""
        with self._lock:
            self._far = np.concatenate([self._far, samples])
            while self._far.size >= FRAME:
                self._apm.process_reverse_stream(self._frame(self._far[:FRAME]))
                self._far = self._far[FRAME:]
