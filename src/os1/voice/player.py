"""The playback buffer between os1's speech and the speaker. Something that runs in real time (a
sound card's callback, or a clock for files and sockets) pulls fixed blocks from it; pausing or
stopping takes effect at the next block, so the speaker goes quiet within one block (20 ms)
plus the device's own latency.

It keeps a ledger of what was actually heard: each piece of text is marked spoken as its audio
is pulled, and a piece cut off part-way counts the share of its words that were played.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from os1.voice.audio import RATE, Samples

BLOCK = RATE // 50  # 20 ms


@dataclass
class _Piece:
    samples: Samples
    text: str
    turn: int
    played: int = 0
    end: bool = False  # a marker: the reply of ``turn`` ends here


class Player:
    """A thread-safe queue of speech with pause, resume, stop and a ledger of what was heard."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._queue: deque[_Piece] = deque()
        self._paused = False
        self._heard: dict[int, list[str]] = {}
        self._started: set[int] = set()
        self.on_first_audio: Callable[[int, float], None] = lambda turn, at: None
        self.on_reply_end: Callable[[int], None] = lambda turn: None

    def play(self, samples: Samples, text: str, turn: int) -> None:
        with self._lock:
            self._queue.append(_Piece(samples, text, turn))

    def end_reply(self, turn: int) -> None:
        with self._lock:
            self._queue.append(_Piece(np.zeros(0, dtype=np.float32), "", turn, end=True))

    @property
    def speaking(self) -> bool:
        """Whether speech is queued or playing (paused counts)."""
        with self._lock:
            return any(not p.end for p in self._queue)

    @property
    def paused(self) -> bool:
        return self._paused

    def pause(self) -> bool:
        """Hold playback where it is; True if something was playing."""
        with self._lock:
            was = not self._paused and any(not p.end for p in self._queue)
            self._paused = True
            return was

    def resume(self) -> None:
        self._paused = False

    def stop(self) -> None:
        """Drop everything not yet played; the piece in progress counts as heard in part."""
        with self._lock:
            for piece in self._queue:
                if piece.played and not piece.end:
                    self._hear(piece, partial=True)
            ended = {p.turn for p in self._queue}
            self._queue.clear()
            self._paused = False
        for turn in sorted(ended):
            self.on_reply_end(turn)

    def heard(self, turn: int) -> str:
        """What the user has heard of ``turn``'s reply so far."""
        with self._lock:
            return " ".join(self._heard.get(turn, []))

    def pull(self, n: int = BLOCK) -> Samples:
        """The next ``n`` samples for the speaker (silence when paused or idle)."""
        out = np.zeros(n, dtype=np.float32)
        firsts: list[int] = []
        ends: list[int] = []
        with self._lock:
            filled = 0
            while filled < n and self._queue and not self._paused:
                piece = self._queue[0]
                if piece.end:
                    self._queue.popleft()
                    ends.append(piece.turn)
                    continue
                if piece.turn not in self._started:
                    self._started.add(piece.turn)
                    firsts.append(piece.turn)
                take = min(n - filled, piece.samples.size - piece.played)
                out[filled:filled + take] = piece.samples[piece.played:piece.played + take]
                piece.played += take
                filled += take
                if piece.played >= piece.samples.size:
                    self._hear(piece, partial=False)
                    self._queue.popleft()
        now = self._clock()
        for turn in firsts:
            self.on_first_audio(turn, now)
        for turn in ends:
            self.on_reply_end(turn)
        return out

    def _hear(self, piece: _Piece, *, partial: bool) -> None:
        words = piece.text.split()
        if partial and piece.samples.size:
            words = words[:math.floor(len(words) * piece.played / piece.samples.size)]
        if words:
            self._heard.setdefault(piece.turn, []).append(" ".join(words))
