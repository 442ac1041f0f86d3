"""The torture script's ``voice`` target: ``os1 talk --input REC.wav --output OUT.wav --json``
on a recording of a few utterances with pauses, killed with SIGKILL at a random delay or left to
finish, and the store checked after each life.

Transcripts differ from life to life, so turns are matched by the store's row ids, never by their
words: every utterance row seen after a life is kept (a later kill must not take it away); a life
that printed ``saved`` for N replies must have added at least N replies (a completed life exactly
N, a killed one at most one more: the reply in flight).
"""

from __future__ import annotations

import json
import random
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from os1.voice.audio import silence, write_wav
from os1.voice.tts import EspeakTTS

# the user's side: a few short utterances, each followed by a pause longer than os1's reply
SCRIPT: tuple[str | float, ...] = (0.3, "I walked by the river today.", 4.0, "My sister Ana lives in Lisbon.",
                                   4.0, "Work was quiet this week.", 4.0)


class Checks(Protocol):
    """The torture script's figures, counted into by this target."""

    kills: int
    kills_survived: int
    corrupt_stores: int
    committed_lost: int
    duplicated: int
    failed_turns: int
    problems: list[str]


@dataclass
class Voice:
    """A voice target's memory of what its lives were promised."""

    kept: set[int] = field(default_factory=set)  # utterance rows seen after a life: never to go
    committed: int = 0  # replies a life reported saved
    turns: int = 0  # committed replies plus the turns in flight when killed
    lives: int = 0


def recording(root: Path) -> Path:
    """The user's recording, made once per run: espeak-ng's voice and silence."""
    voice = EspeakTTS("en-gb")
    pieces = [silence(p) if isinstance(p, float) else voice.synthesize(p) for p in SCRIPT]
    path = root / "voice-in.wav"
    write_wav(path, np.concatenate(pieces))
    return path


def talk_args(wav: Path, out: Path) -> list[str]:
    return ["talk", "--input", str(wav), "--output", str(out), "--json"]


def saved_replies(stdout: bytes) -> int:
    """Replies a life reported stored (``saved``: whole, or as far as heard when interrupted;
    an interrupted reply nobody heard is forgotten)."""
    count = 0
    for line in stdout.decode(errors="replace").splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and event.get("type") == "saved" and (
                not event.get("interrupted") or event.get("text")):
            count += 1
    return count


def measure_life(start: Callable[[], subprocess.Popen[bytes]]) -> tuple[float, int]:
    """Seconds a whole life takes here and now, and the replies it stored (they stay in the
    store and are checked after every kill)."""
    started = time.monotonic()
    proc = start()
    stdout, err = proc.communicate(timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"os1 talk does not work here: {err.decode()[-500:]}")
    saved = saved_replies(stdout)
    if saved == 0:
        raise RuntimeError(f"os1 talk answered nothing: {stdout.decode()[-500:]}")
    return time.monotonic() - started, saved


def voice_lives(state: Voice, count: int, rng: random.Random, figures: Checks, window: tuple[float, float],
                start: Callable[[], subprocess.Popen[bytes]], kill: Callable[[subprocess.Popen[bytes]], None],
                check: Callable[[bool], list[tuple[int, str]] | None]) -> None:
    """``count`` lives of ``os1 talk``, each killed at a random delay in ``window`` or left to
    finish. ``check(killed)`` counts the kill, checks that the store opens and is whole, and
    returns its utterance rows as (id, role), or None if it is broken."""
    for _ in range(count):
        before = check(False)
        if before is None:
            return
        known = {ident for ident, _ in before}
        proc = start()
        killed = False
        try:
            stdout, _ = proc.communicate(timeout=rng.uniform(*window))
        except subprocess.TimeoutExpired:
            killed = True
            kill(proc)
            stdout, _ = proc.communicate()  # what it printed before the kill
        state.lives += 1
        saved = saved_replies(stdout)
        if not killed and proc.returncode != 0:
            figures.failed_turns += 1
            figures.problems.append(f"voice: talk exited {proc.returncode}: {stdout.decode()[-300:]}")
        rows = check(killed)
        if rows is None:
            continue
        ids = {ident for ident, _ in rows}
        replies = sum(role == "assistant" for ident, role in rows if ident not in known)
        lost = len(state.kept - ids) + max(0, saved - replies)
        twice = max(0, replies - saved - (1 if killed else 0))
        figures.committed_lost += lost
        figures.duplicated += twice
        if lost or twice:
            figures.problems.append(f"voice: {lost} committed replies lost, {twice} beyond those reported")
        elif killed:
            figures.kills_survived += 1
        state.kept |= ids
        state.committed += saved
        state.turns += saved + (1 if killed else 0)
