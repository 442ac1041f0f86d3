"""Two os1s on loopback: ``os1 persona serve`` in a process of its own (another kind of OS, made
of Emerson's texts, with its own data directory) and ``os1 meet`` (the user's os1, run in this
process, on a model served over HTTP in a thread: ``os1.testing.fixed_model``), holding a
three-turn conversation over A2A; both remember it, and the user's ledger shows each message
sent."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from os1.agents.texts_persona import read_texts
from os1.cli.main import cli
from os1.memory.sqlite import SQLiteMemory, store_path
from os1.safety.ledger import ActionLedger
from os1.testing import FakeEmbedder
from os1.testing.fixed_model import Timing, create_app
from os1.testing.servers import free_port
from tests.agents.a2a_agents import served_app
from tests.conftest import wait_until

pytestmark = pytest.mark.integration
TEXTS = Path(__file__).parent / "texts" / "self_reliance.txt"


def env(home: Path, **more: str) -> dict[str, str]:
    return {**os.environ, "OS1_HOME": str(home), "OS1_MEMORY__EMBEDDER": "hash", **more}


async def kept(home: Path) -> list[tuple[str, str]]:
    store = await SQLiteMemory.open(store_path(home, "default"), FakeEmbedder())
    try:
        said = await store.list_memories(kind="utterance", newest_first=False)
        return [(m.provenance, m.text) for m in said]
    finally:
        await store.close()


@contextmanager
def persona_served(home: Path, port: int) -> Iterator[str]:
    """``os1 persona serve`` in its own process and data directory; yields its URL once it
    says it serves."""
    args = [sys.executable, "-m", "os1", "persona", "serve", str(TEXTS), "--name", "Ralph",
            "--port", str(port)]
    proc = subprocess.Popen(args, env=env(home), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        for line in proc.stderr:  # blocks until it serves or dies; the test's timeout bounds it
            if "is serving" in line:
                break
        else:
            raise RuntimeError("os1 persona serve died")
        threading.Thread(target=proc.stderr.read, daemon=True).start()
        wait_until(lambda: _answers(port), "the persona to answer")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/.well-known/agent-card.json", timeout=5).is_success
    except httpx.HTTPError:
        return False


def test_two_os1_processes_hold_a_conversation_and_both_remember(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    timing = Timing(first_token_ms=0, tokens_per_s=2000, reply_tokens=12)
    with served_app(create_app(timing)) as model, persona_served(theirs, free_port()) as url:
        for key, value in env(ours, OS1_LLM__DEFAULT="fixed", OS1_LLM__MODELS__FIXED__KIND="openai",
                              OS1_LLM__MODELS__FIXED__BASE_URL=f"{model}/v1",
                              OS1_LLM__MODELS__FIXED__MODEL="fixed").items():
            monkeypatch.setenv(key, value)
        done = CliRunner().invoke(cli, ["meet", url, "trusting yourself", "--turns", "3", "--yes", "--json"])
    assert done.exit_code == 0, done.output
    said = json.loads(done.stdout.strip().splitlines()[-1])["said"]
    assert [s["who"] for s in said] == ["Samantha", "Ralph"] * 3
    sentences = read_texts([TEXTS])
    assert all(any(x in s["text"] for x in sentences) for s in said[1::2])  # Ralph speaks in his texts
    mine, his = asyncio.run(kept(ours)), asyncio.run(kept(theirs))
    assert len(mine) == len(his) == 6
    assert {p for p, _ in mine + his} == {"external"}
    assert all(f"A2A agent Ralph at {url}" in t for _, t in mine)
    ledger = ActionLedger(ours / "users" / "default" / "actions.sqlite3")
    assert [(a.tool, a.status, a.outbound) for a in ledger.recent()] == [("tell_agent", "done", True)] * 3
    ledger.close()
