"""The torture script's ``voice`` and ``pg-voice`` targets: ``os1 talk --input REC.wav --output
OUT.wav --json`` on a recording of a few utterances with pauses, killed with SIGKILL at a random
delay or left to finish, and the store checked after each life.

Each ``saved`` event of ``talk --json`` carries the ids of the turn it stored (``said_id``, the
user's words; ``reply_id``, the reply), so a spoken turn is checked by id as a typed one is: every
turn a life reported saved is there once, its reply right after its words, after this life and
every later one; no user's words carry two replies; and a life stored nothing it did not report,
but for the turn in flight when it was killed (its words, and at most its reply).
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
# one utterance (``--short-voice``, for the tests): a life of a few seconds; os1 answers after the
# recording ends, as it would after a user's last words
SHORT: tuple[str | float, ...] = (0.3, "I walked by the river today.", 0.8)


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

    committed: dict[int, int | None] = field(default_factory=dict)  # said_id -> reply_id, as reported
    lost: set[int] = field(default_factory=set)  # committed turns found missing (each counted once)
    twice: set[int] = field(default_factory=set)  # user rows found with two replies (counted once)
    turns: int = 0  # committed turns plus the turns in flight when killed
    lives: int = 0
    in_flight_kept: int = 0  # killed lives whose turn in flight had stored its words


def recording(root: Path, script: tuple[str | float, ...] = SCRIPT) -> Path:
    """The user's recording, made once per run: espeak-ng's voice and silence."""
    voice = EspeakTTS("en-gb")
    pieces = [silence(p) if isinstance(p, float) else voice.synthesize(p) for p in script]
    path = root / "voice-in.wav"
    write_wav(path, np.concatenate(pieces))
    return path


def talk_args(wav: Path, out: Path) -> list[str]:
    return ["talk", "--input", str(wav), "--output", str(out), "--json"]


def saved_turns(stdout: bytes) -> dict[int, int | None]:
    """The turns a life reported stored, as said_id -> reply_id (None: the reply was cut before
    anyone heard it, and forgotten)."""
    saved: dict[int, int | None] = {}
    for line in stdout.decode(errors="replace").splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and event.get("type") == "saved" and event.get("said_id") is not None:
            saved[int(event["said_id"])] = None if event.get("reply_id") is None else int(event["reply_id"])
    return saved


def measure_life(start: Callable[[], subprocess.Popen[bytes]]) -> tuple[float, dict[int, int | None]]:
    """Seconds a whole life takes here and now, and the turns it stored (they stay in the
    store and are checked after every kill)."""
    started = time.monotonic()
    proc = start()
    stdout, err = proc.communicate(timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"os1 talk does not work here: {err.decode()[-500:]}")
    saved = saved_turns(stdout)
    if not saved:
        raise RuntimeError(f"os1 talk answered nothing: {stdout.decode()[-500:]}")
    return time.monotonic() - started, saved


def replies_by_words(rows: list[tuple[int, str]]) -> dict[int, list[int]]:
    """Each user row's id -> the assistant rows that follow it (its replies), in store order."""
    replies: dict[int, list[int]] = {}
    last_user: int | None = None
    for ident, role in rows:
        if role == "user":
            last_user = ident
            replies[ident] = []
        elif last_user is not None:
            replies[last_user].append(ident)
    return replies


def unreported(rows: list[tuple[int, str]], known: set[int],
               saved: dict[int, int | None]) -> list[tuple[int, str]]:
    """Rows a life added that it never reported saved."""
    reported = {*saved, *(r for r in saved.values() if r is not None)}
    return [(ident, role) for ident, role in rows if ident not in known and ident not in reported]


def check_life(state: Voice, rows: list[tuple[int, str]], known: set[int], saved: dict[int, int | None],
               killed: bool) -> tuple[int, int]:
    """New committed turns lost and turns stored twice (or beyond the turn in flight) after a
    life that reported ``saved``; ``known``: the rows before it."""
    state.committed.update(saved)
    replies = replies_by_words(rows)
    lost = {said for said, reply in state.committed.items()
            if said not in replies or (reply is not None and reply not in replies[said])}
    twice = {said for said, answers in replies.items() if len(answers) > 1}
    extra = unreported(rows, known, saved)
    allowed = [("user",), ("user", "assistant")] if killed else []
    beyond = 0 if tuple(role for _, role in extra) in [(), *allowed] else len(extra)
    if killed and extra:
        state.in_flight_kept += 1
    new_lost, new_twice = len(lost - state.lost), len(twice - state.twice) + beyond
    state.lost |= lost
    state.twice |= twice
    return new_lost, new_twice


def voice_lives(state: Voice, count: int, rng: random.Random, figures: Checks, window: tuple[float, float],
                start: Callable[[], subprocess.Popen[bytes]], kill: Callable[[subprocess.Popen[bytes]], None],
                check: Callable[[bool], list[tuple[int, str]] | None], name: str = "voice") -> None:
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
        saved = saved_turns(stdout)
        if not killed and proc.returncode != 0:
            figures.failed_turns += 1
            figures.problems.append(f"{name}: talk exited {proc.returncode}: {stdout.decode()[-300:]}")
        rows = check(killed)
        if rows is None:
            continue
        lost, twice = check_life(state, rows, known, saved, killed)
        figures.committed_lost += lost
        figures.duplicated += twice
        if lost or twice:
            figures.problems.append(f"{name}: {lost} committed turns lost, "
                                    f"{twice} stored twice or never reported")
        elif killed:
            figures.kills_survived += 1
        state.turns += len(saved) + (1 if killed else 0)
