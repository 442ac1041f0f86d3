"""``os1 initiative`` as a user runs it: words said through the bundled model, then the plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import run

pytestmark = pytest.mark.integration


def test_list_shows_the_plan_and_why_and_cancel_ends_it(os1_home: Path) -> None:
    assert run(os1_home, "say", "Ana's wedding is on Saturday.").returncode == 0
    said = next(json.loads(line) for line in run(os1_home, "memory", "list", "--json").stdout.splitlines()
                if json.loads(line)["role"] == "user")
    (plan,) = [json.loads(line) for line in run(os1_home, "initiative", "list", "--json").stdout.splitlines()]
    assert plan["source_memory"] == said["id"] and plan["status"] == "planned"
    assert "wedding" in plan["text"].lower() and "Saturday" in plan["reason"]
    assert (os1_home / "users" / "default" / "initiative.sqlite3").stat().st_mode & 0o077 == 0
    assert run(os1_home, "initiative", "cancel", str(plan["id"])).returncode == 0
    assert run(os1_home, "initiative", "list", "--json").stdout.strip() == ""
    assert run(os1_home, "initiative", "cancel", str(plan["id"])).returncode == 2
    every = run(os1_home, "initiative", "list", "--all", "--json").stdout.splitlines()
    (kept,) = [json.loads(line) for line in every]
    assert kept["status"] == "cancelled"
