"""``os1 play`` as a person meets it: whole sessions through the real CLI, kept and taken up,
bad input in one line, and os1's words from the bundled model."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.cli.test_cli import db_path, one_line_error, run

pytestmark = pytest.mark.integration


def kept_moves(home: Path) -> list[list[str]]:
    import json

    rows = sqlite3.connect(db_path(home)).execute(
        "SELECT data FROM moments WHERE kind = 'game' ORDER BY memory_id").fetchall()
    return [json.loads(data)["save"].get("moves", []) for (data,) in rows]


def test_an_adventure_is_kept_and_taken_up(os1_home: Path) -> None:
    first = run(os1_home, "play", "adventure", "--seed", "4",
                stdin=b"no\neast\n?\nyou go\nmap\nwhere is the lamp?\nquit\n")
    assert first.returncode == 0, first.stderr
    assert "take keys" in first.stdout and "building" in first.stdout
    assert kept_moves(os1_home) == [["no", "east", "take keys"]]

    second = run(os1_home, "play", "adventure", stdin=b"west\n")  # Ctrl-D ends it
    assert second.returncode == 0, second.stderr
    assert "Welcome back" in second.stdout
    assert kept_moves(os1_home)[-1] == ["no", "east", "take keys", "west"]


def test_bad_input_is_one_line(os1_home: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.z5").write_text("not a story at all, just some words " * 4)
    one_line_error(run(os1_home, "play", "story", str(tmp_path / "notes.z5")), 2, "not a Z-machine story")
    one_line_error(run(os1_home, "play", "story", str(tmp_path / "missing.z5")), 2, "cannot read")
    result = run(os1_home, "play", "adventure", "--seed", "4", stdin=("x" * 400 + "\nno\n").encode())
    assert result.returncode == 0 and "too long" in result.stderr and kept_moves(os1_home) == [["no"]]


def test_chess_strength_out_of_range_is_one_line(os1_home: Path) -> None:
    pytest.importorskip("chess")
    one_line_error(run(os1_home, "play", "chess", "--elo", "100", stdin=b""), 2, "1350")


def test_the_bundled_model_words_the_suggestion(os1_home: Path) -> None:
    result = run(os1_home, "play", "adventure", "--seed", "4", "--talk",
                 stdin=b"no\neast\n?\nyou go\n/say this building is lovely\nquit\n", timeout=300)
    assert result.returncode == 0, result.stderr
    assert kept_moves(os1_home) == [["no", "east", "take keys"]]  # the move is the map's, whatever the words
    assert "keys" in result.stdout.split("THERE IS A BOTTLE OF WATER HERE.")[-1]
    said = sqlite3.connect(db_path(os1_home)).execute(
        "SELECT role, provenance FROM memories WHERE kind = 'utterance' ORDER BY id").fetchall()
    assert said[0] == ("user", "user") and said[1][0] == "assistant"  # "/say" was a turn with os1
