"""SIGKILL at random points of turns, on SQLite and PostgreSQL, from the CLI and a server worker,
and in a spoken conversation: ``benchmarks/torture.py`` in small (40 turns, about a dozen kills;
three voice lives); the script gives the full figure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(600)
def test_kills_leave_every_store_whole_and_every_committed_turn_once() -> None:
    command = [sys.executable, str(ROOT / "benchmarks" / "torture.py"), "--turns", "40",
               "--turns-per-life", "2",
               "--seed", "7", "--json"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=580)
    assert result.stdout.strip(), result.stderr[-3000:]
    figures = json.loads(result.stdout)
    assert figures["kills"] >= 8, figures
    assert figures["committed"] >= 8, figures
    assert set(figures["targets"]) == {"cli", "server", "pg-cli", "pg-server"}
    assert figures["corrupt_stores"] == 0, figures["problems"]
    assert figures["committed_lost"] == 0, figures["problems"]
    assert figures["duplicated"] == 0, figures["problems"]
    assert figures["kills_survived"] == figures["kills"], figures["problems"]
    assert figures["failed_turns"] == 0, figures["problems"]
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.timeout(300)
def test_kills_in_a_spoken_conversation_keep_every_stored_reply() -> None:
    command = [sys.executable, str(ROOT / "benchmarks" / "torture.py"), "--targets", "voice", "--turns", "3",
               "--seed", "7", "--json"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=280)
    assert result.stdout.strip(), result.stderr[-3000:]
    figures = json.loads(result.stdout)
    assert set(figures["targets"]) == {"voice"}
    assert figures["kills"] >= 1, figures
    assert figures["committed"] >= 1, figures
    assert figures["corrupt_stores"] == 0, figures["problems"]
    assert figures["committed_lost"] == 0, figures["problems"]
    assert figures["duplicated"] == 0, figures["problems"]
    assert figures["kills_survived"] == figures["kills"], figures["problems"]
    assert figures["failed_turns"] == 0, figures["problems"]
    assert result.returncode == 0, result.stderr[-3000:]
