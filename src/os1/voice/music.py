"""Music in a spoken conversation: asked in plain words ("play me something about that
evening"), os1 composes a piece about the moment (``os1.music.composer.Composer``) and ``Reply``
says in one sentence what it was thinking of, then plays the piece through the same player as
its voice, so the user can talk over it to stop it, like any reply."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from os1.memory.roles import Composing
from os1.voice.audio import Samples, read_audio


@dataclass(frozen=True, eq=False)
class Piece:
    """What os1 says about a piece, and the piece's audio at the conversation's rate."""

    said: str
    samples: Samples
    moment_id: int


class MusicMaker(Protocol):
    """The seam ``Reply`` composes through (a fake in tests, ``ComposedMusic`` for real)."""

    async def piece(self, about: str | None) -> Piece: ...


class ComposedMusic:
    """Pieces composed for one user, written into their music folder."""

    def __init__(self, store: Composing, folder: Path, *, synth: str = "auto") -> None:
        self.store = store
        self.folder = folder
        self.synth = synth

    async def piece(self, about: str | None) -> Piece:
        from os1.music.composer import Composer  # the MIDI and synthesis libraries, only when asked

        shared = await Composer(self.store, self.folder, synth=self.synth).compose(about)
        samples = await asyncio.to_thread(read_audio, Path(shared.moment.data["wav"]))
        return Piece(brief(shared.said), samples, shared.moment.id)


def brief(said: str) -> str:
    """The first sentence of what os1 was thinking of, without asides in brackets: spoken
    before the music, it should be short."""
    plain = re.sub(r"\s*\([^)]*\)?", "", said).strip()
    first = re.split(r"(?<=[.!?])\s+", plain, maxsplit=1)[0]
    return first if first.endswith((".", "!", "?")) else first + "."
