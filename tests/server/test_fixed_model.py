"""The fixed-rate model server (``python -m os1.testing.fixed_model``) as its own process: it
keeps its schedule, and os1 uses it as an ``openai`` model through a real turn. Then the load
benchmark, small, end to end against it."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from os1.agent.events import TurnDone
from os1.config import Settings
from os1.runtime import Runtime
from os1.testing.fixed_model import Timing, reply_tokens
from os1.testing.servers import free_port
from os1.types import TextDelta

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
TIMING = Timing(first_token_ms=150, tokens_per_s=40, reply_tokens=20)


@pytest.fixture(scope="module")
def model_url() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "os1.testing.fixed_model", "--port", str(port),
                             "--first-token-ms", str(TIMING.first_token_ms),
                             "--tokens-per-s", str(TIMING.tokens_per_s),
                             "--reply-tokens", str(TIMING.reply_tokens)])
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/models", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                assert proc.poll() is None and time.monotonic() < deadline, "the model server did not start"
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def test_streams_the_reply_on_its_schedule(model_url: str) -> None:
    body = {"model": "fixed", "messages": [{"role": "user", "content": "hi"}], "stream": True}
    arrivals: list[float] = []
    text = ""
    start = time.perf_counter()
    with httpx.stream("POST", f"{model_url}/chat/completions", json=body, timeout=30) as reply:
        for line in reply.iter_lines():
            if line.startswith("data: {"):
                chunk = json.loads(line[6:])
                if chunk["choices"] and chunk["choices"][0]["delta"].get("content"):
                    arrivals.append(time.perf_counter() - start)
                    text += chunk["choices"][0]["delta"]["content"]
    assert text == "".join(reply_tokens(TIMING, False))
    assert len(arrivals) == TIMING.reply_tokens
    # never early: every token is due at a fixed time after the request
    assert all(seen >= TIMING.due(i) - 0.005 for i, seen in enumerate(arrivals))
    # and on pace: the whole reply within a generous margin of its schedule
    paced = (TIMING.reply_tokens - 1) / TIMING.tokens_per_s
    assert arrivals[-1] - arrivals[0] == pytest.approx(paced, abs=0.25)


async def test_is_an_openai_model_for_a_real_turn(model_url: str, os1_home: Path) -> None:
    settings = Settings(home=os1_home, memory={"embedder": "hash"}, llm={
        "default": "fixed", "models": {"fixed": {"kind": "openai", "base_url": model_url, "model": "fixed"}}})
    runtime = await Runtime.open(settings)
    try:
        companion = await runtime.companion()
        events = [event async for event in companion.respond("My sister Ana lives in Lisbon.")]
        await companion.drain()  # fact extraction asks the same server for JSON
        deltas = "".join(e.text for e in events if isinstance(e, TextDelta))
        done = events[-1]
        assert isinstance(done, TurnDone)
        assert deltas == done.reply == "".join(reply_tokens(TIMING, False))
        stored = await runtime.store.recent_utterances(2)
        assert [m.text for m in stored][-1] == done.reply
    finally:
        await runtime.close()


def test_load_benchmark_prints_its_figures() -> None:
    keys = {"connected", "active", "errors", "added_ttft_p50_ms", "added_ttft_p95_ms", "msgs_per_s",
            "rss_mb_per_connection"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "load.py"), "--users", "20", "--active", "5", "--json",
         "--duration-s", "4", "--think-s", "1", "--embedder", "hash"],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(figures) == keys
    assert figures["connected"] == 20 and figures["active"] == 5 and figures["errors"] == 0
    assert figures["msgs_per_s"] > 0
    assert figures["added_ttft_p95_ms"] == figures["added_ttft_p95_ms"]  # measured: not NaN
