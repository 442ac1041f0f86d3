"""The room's own level, so that only a voice standing out over it counts as the user's.

In a crowd Silero VAD hears speech in the babble most of the time (under a crowd 10 dB below the
user, in 60% of its 32 ms windows): it cannot tell the user from the people around. What can be
known is how loud the room is without the user. ``Background`` keeps the power of the windows heard
outside the user's turns over the last few seconds, takes a low percentile of it as the room's
level (so the loud moments of the babble do not raise it), and lets a window the VAD calls speech
count only if it stands ``start_db`` above that level, or ``keep_db`` once a turn is under way
(the softer syllables of the user's own words). The level is frozen during a turn. In a quiet room
it lies far below any voice, and nothing changes.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from os1.voice.audio import Samples

HISTORY = 94  # windows of 32 ms: the last 3 s outside the user's turns
MIN_HISTORY = HISTORY  # until 3 s has been heard, every window may count
PERCENTILE = 10.0


def power_db(window: Samples) -> float:
    return float(10 * np.log10(np.mean(np.square(window, dtype=np.float64)) + 1e-10))


def spread_db(samples: Samples, window: int = 512) -> float:
    """How far the loud moments of ``samples`` stand over its quiet ones, in dB (the 90th
    against the 10th percentile of its 32 ms windows' power): a voice in a quiet room stands far
    over the pauses between its words, in a crowd the babble fills them. It reads the audio
    alone, so a live turn and a file are judged alike."""
    n = samples.size // window
    if n < 2:
        return float("inf")
    powers = [power_db(samples[i * window:(i + 1) * window]) for i in range(n)]
    return float(np.percentile(powers, 90) - np.percentile(powers, 10))


class Background:
    """The room's level in dB, and whether a window stands out over it."""

    def __init__(self, start_db: float, keep_db: float) -> None:
        self.start_db = start_db
        self.keep_db = keep_db
        self._powers: deque[float] = deque(maxlen=HISTORY)

    def level_db(self) -> float | None:
        if len(self._powers) < MIN_HISTORY:
            return None
        return float(np.percentile(self._powers, PERCENTILE))

    def stands_out(self, window: Samples, in_turn: bool) -> bool:
        """Whether ``window`` is loud enough over the room to be the user's (``in_turn``: a turn
        is under way); a window heard outside a turn joins the room's level afterwards. For the
        first 3 s every window counts and joins it, turn or not: a turn that opens a conversation
        is heard as it was without the gate, and then no longer keeps the level unknown (over 3 s
        of speech, the quietest tenth is the room between the words)."""
        power, level = power_db(window), self.level_db()
        if not in_turn or level is None:
            self._powers.append(power)
        if level is None or self.start_db <= 0:
            return True
        return power >= level + (self.keep_db if in_turn else self.start_db)
