"""Composing about a moment and keeping the piece: ``Composer.compose`` finds the moment (by
memory id, by words, or the latest thing shared), plans and scores the piece, renders it, writes
``.mid`` and ``.wav`` next to the user's memory, and remembers the piece as a moment of its own
(provenance ``assistant``: os1 made it). The same moment gives the same piece, kept once."""

from __future__ import annotations

import asyncio
import io
import re
from dataclasses import dataclass
from pathlib import Path

from os1.errors import InputError
from os1.files import private_dir, write_private
from os1.memory.moments import Moment, MomentDraft
from os1.memory.roles import Composing
from os1.music.composing import Plan, features, plan_for, score
from os1.music.rendering import render, write_wav
from os1.shared import Shared

ABOUT_KINDS = ("photo", "post", "song")


@dataclass(frozen=True)
class Piece:
    plan: Plan
    midi: Path
    wav: Path
    synth: str


class Composer:
    """Pieces for one user, written under ``folder``."""

    def __init__(self, store: Composing, folder: Path, *, synth: str = "auto") -> None:
        self.store = store
        self.folder = folder
        self.synth = synth

    async def compose(self, about: str | None = None) -> Shared:
        source = await self.find(about)
        key = f"piece:{source.key if source else 'the present'}"
        plan = plan_for(features(source), key)
        piece = await asyncio.to_thread(self._write, plan, _slug(source))
        thinking = thinking_of(source, plan)
        data = {**plan.to_dict(), "key_name": plan.key, "seconds": round(plan.seconds, 1),
                "about": source.id if source else None, "midi": str(piece.midi), "wav": str(piece.wav),
                "synth": piece.synth, "said": thinking}
        text = (f"You composed a piano piece for the user in {plan.key} at {plan.tempo} beats a minute, "
                f"about {_what(source)}.")
        moment, new = await self.store.add_moment(MomentDraft(
            kind="piece", key=key, text=text, data=data, provenance="assistant"))
        return Shared(moment, new, f"{plan.key}, {plan.tempo} bpm, {plan.seconds:.0f} s: {piece.wav}",
                      thinking)

    async def find(self, about: str | None) -> Moment | None:
        """The moment ``about`` names: a memory id, words to search for, or (None) the latest."""
        if about is None:
            latest = [m for kind in ABOUT_KINDS for m in await self.store.moments(kind, limit=1)]
            return max(latest, key=lambda m: m.id, default=None)
        if about.strip().isdecimal():  # (isdigit would take "²", which int refuses)
            memory_id = int(about)
            found = await self.store.moment(memory_id) if memory_id < 2**63 else None  # SQLite's ids
            if found is None or found.kind not in ABOUT_KINDS:
                raise InputError(f"memory {about.strip()} is not a photo, post or song os1 remembers")
            return found
        for hit in await self.store.search(about, k=12):
            moment = await self.store.moment(hit.item.id)
            if moment is not None and moment.kind in ABOUT_KINDS:
                return moment
        raise InputError(f"no shared moment matches {about[:60]!r}; see `os1 music` and `os1 memory list`")

    def _write(self, plan: Plan, slug: str) -> Piece:
        midi = score(plan)
        audio, used = render(midi, synth=self.synth)
        private_dir(self.folder)  # 0700, and the files 0600: pieces about the user's moments
        stem = self.folder / f"{slug}-{plan.seed:08x}"
        buffer = io.BytesIO()
        midi.write(buffer)
        write_private(stem.with_suffix(".mid"), buffer.getvalue())
        write_wav(stem.with_suffix(".wav"), audio)
        return Piece(plan, stem.with_suffix(".mid"), stem.with_suffix(".wav"), used)


def _slug(source: Moment | None) -> str:
    words = re.findall(r"[a-z0-9]+", str(source.data.get("title") or source.kind).lower()) if source else []
    return "-".join(words[:5]) or "now"


def _what(source: Moment | None) -> str:
    if source is None:
        return "the present moment"
    if source.kind == "post":
        return f'the film "{source.data.get("title")}" the user shared' if source.data.get(
            "director") else f'"{source.data.get("title")}", which the user shared'
    if source.kind == "song":
        tags = source.data.get("tags") or {}
        return f'the music you listened to together ("{tags.get("title") or source.data.get("source")}")'
    return f"the photograph the user showed you ({source.data.get('words', '')[:80]})"


def thinking_of(source: Moment | None, plan: Plan) -> str:
    """What os1 was thinking of, and how the moment became the music."""
    reasons = "; ".join(plan.reasons)
    spoken = (_what(source).replace("you listened", "we listened")
              .replace("the user showed you", "you showed me").replace("the user", "you"))
    return f"I was thinking of {spoken}. {reasons[0].upper()}{reasons[1:]}."
