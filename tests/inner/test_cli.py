"""``os1 status``, ``os1 journal`` and ``os1 persona`` as a person runs them, in-process through
click (bundled model configured, so the journal is written by rules; the hash embedder)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from os1.cli.main import cli
from os1.memory.sqlite import SQLiteMemory
from os1.testing import FakeEmbedder


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


async def seed(path: Path) -> None:
    store = await SQLiteMemory.open(path, FakeEmbedder())
    await store.set_profile({"user_name": "Theo", "os_name": "Ada"})
    first = await store.start_session()
    said = "Thanks! I have a piano exam on Friday. Please keep answers short."
    await store.add_utterance(first, "user", said,
                              created_at=1000.0)
    await store.add_utterance(first, "assistant", "Good luck with the exam!", created_at=1001.0)
    await store.start_session()
    await store.close()


def test_status_journal_and_persona(os1_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OS1_MEMORY__EMBEDDER", "hash")
    asyncio.run(seed(os1_home / "users" / "default" / "memory.sqlite3"))
    status = json.loads(run("status", "--json").stdout)
    assert status["mood"] == "calm" and {"cause", "valence", "arousal"} <= set(status)

    (entry,) = [json.loads(x) for x in run("journal", "list", "--json").stdout.splitlines()]
    assert entry["how"] == "rules" and "exam" in entry["text"] and entry["sources"]
    shown = run("journal", "show", str(entry["id"]))
    assert shown.exit_code == 0 and "written by rules" in shown.stdout
    assert run("journal", "edit", str(entry["id"]), "I noticed the exam.").exit_code == 0
    assert run("journal", "forget", str(entry["id"])).exit_code == 0
    missing = run("journal", "show", str(entry["id"]))
    assert missing.exit_code == 2 and "no journal entry" in missing.stderr

    proposed = run("persona", "propose")
    assert "+- Theo asked me" in proposed.stdout, proposed.stderr
    assert run("persona", "accept").exit_code == 0
    assert 'Theo asked me: "Please keep answers short"' in run("persona", "show").stdout
    drift = os1_home / "drift.md"
    drift.write_text(run("persona", "show").stdout.replace("name: Ada", "name: Eve"))
    refused = run("persona", "edit", "--file", str(drift))
    assert refused.exit_code == 2 and "core" in refused.stderr
    assert run("persona", "rollback").exit_code == 0
    assert "nothing learned yet" in run("persona", "show").stdout
