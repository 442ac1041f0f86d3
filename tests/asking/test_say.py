"""``os1 say`` answers a letter asked for in plain words the way every front end does: real
processes, the bundled model, the real stores. The draft is shown with its check and not kept;
``--yes`` keeps it, and only if every detail is grounded."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.cli.test_cli import run
from tests.letters.test_letters_cli import ok

pytestmark = pytest.mark.integration
ASKED = "write a letter to Ana for her birthday"


def kept(home: Path) -> list[int]:
    """The ids of the letters kept, read from the letter store's file."""
    path = home / "users" / "default" / "letters" / "letters.sqlite3"
    if not path.exists():
        return []
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT id FROM letters ORDER BY id")]


def test_say_drafts_the_letter_and_keeps_it_only_on_yes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    shown = ok(run(home, "say", ASKED, timeout=300)).stdout  # no terminal to say yes on: not kept
    assert "Dear Ana," in shown and "--yes keeps it" in shown
    assert ("found in" in shown) or ("No specific details" in shown)  # the check is shown
    assert kept(home) == []

    said = json.loads(ok(run(home, "say", "--yes", "--json", ASKED, timeout=300)).stdout)
    letter = said["letter"]
    assert letter["brief"]["to"] == "Ana" and letter["text"].startswith("Dear Ana,")
    for detail in letter["grounding"]["details"]:  # whatever the model wrote, each detail is placed
        assert (detail["text"] in letter["grounding"]["flagged"]) != bool(detail["sources"])
    assert said["user_id"] is None  # a deed, not a turn
    if letter["grounding"]["flagged"]:  # a yes does not keep invented details
        assert letter["kept"] is None and letter["why"].startswith("not kept: not grounded")
        assert kept(home) == []
    else:
        assert kept(home) == [letter["kept"]]
