"""A yes said aloud. A held action is read back to the user in os1's voice; only a yes the user
says after that reading was heard to its end, within a short window, and not over os1's own
voice, approves it. Any other spoken yes gets the action read back again. A typed yes keeps the
guard's own rules; "no" is always heard."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from os1.voice.frames import Transcript

READ_BACK_WINDOW_S = 15.0


def read_back(preview: str) -> str:
    """The words os1 says to ask for a spoken yes: the exact effect, then how to answer."""
    effect = ". ".join(line.strip() for line in preview.splitlines() if line.strip())
    return f"Before I do that, here it is exactly. {effect}. Say yes to do it, or no."


@dataclass
class SpokenConsent:
    """Which action was last read back aloud, and when the user had heard all of it."""

    window_s: float = READ_BACK_WINDOW_S
    _read: tuple[int, float] | None = None

    def read(self, action_id: int, heard_at: float) -> None:
        self._read = (action_id, heard_at)

    def forget(self) -> None:
        self._read = None

    def approves(self, said: Transcript, waiting: Sequence[int], os1_speaking: bool) -> int | None:
        """The action a spoken yes approves, or None when this yes does not count: nothing was
        read back, it is no longer waiting, the yes came over os1's voice (its own speech heard
        back included), before the reading ended or after the window."""
        if self._read is None or said.over_os1 or os1_speaking:
            return None
        action_id, heard_at = self._read
        if action_id not in waiting or not heard_at <= said.ended <= heard_at + self.window_s:
            return None
        return action_id
