"""SIGKILL at random points of turns: ``benchmarks/torture.py`` in small, one run over a CLI
process on SQLite, a server worker on PostgreSQL (the session's server) and a spoken
conversation on SQLite, side by side, a few kills each. The full run (every target on both
backends, 1,000 turns) is the script's; its figures are in docs/robustness.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(300)
def test_kills_leave_every_store_whole_and_every_committed_turn_once(pg_dsn: str) -> None:
    command = [sys.executable, str(ROOT / "benchmarks" / "torture.py"), "--targets", "cli,pg-server,voice",
               "--turns", "7", "--turns-per-life", "2", "--lives", "1", "--short-voice", "--parallel",
               "--dsn", pg_dsn, "--seed", "7", "--json"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=280)
    assert result.stdout.strip(), result.stderr[-3000:]
    figures = json.loads(result.stdout)
    assert set(figures["targets"]) == {"cli", "pg-server", "voice"}
    assert figures["kills"] >= 3, figures
    assert all(t["committed"] >= 1 for t in figures["targets"].values()), figures
    assert figures["corrupt_stores"] == 0, figures["problems"]
    assert figures["committed_lost"] == 0, figures["problems"]
    assert figures["duplicated"] == 0, figures["problems"]
    assert figures["kills_survived"] == figures["kills"], figures["problems"]
    assert figures["failed_turns"] == 0, figures["problems"]
    assert result.returncode == 0, result.stderr[-3000:]
