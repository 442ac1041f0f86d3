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
from os1.types import TextDelta
from tests.integration.servers import fixed_server

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
TIMING = Timing(first_token_ms=150, tokens_per_s=40, reply_tokens=20)


@pytest.fixture(scope="module")
def model_url() -> Iterator[str]:
    with fixed_server("--first-token-ms", str(TIMING.first_token_ms),
                      "--tokens-per-s", str(TIMING.tokens_per_s),
                      "--reply-tokens", str(TIMING.reply_tokens)) as url:
        yield url


def test_streams_the_reply_on_its_schedule(model_url: str) -> None:
    """What the schedule guarantees however loaded the machine is: each token is sent no
    earlier than it is due (counted from the request's arrival, which is after the client
    started its clock), all of them, in order, then the end of the reply and its counts. How
    late a token may come is the machine's business, so it is not asserted."""
    body = {"model": "fixed", "messages": [{"role": "user", "content": "hi"}], "stream": True}
    tokens: list[str] = []
    arrivals: list[float] = []
    finish: list[str] = []
    usage: list[dict[str, int]] = []
    done = False
    start = time.monotonic()  # before the request leaves, so before the server's own clock starts
    with httpx.stream("POST", f"{model_url}/chat/completions", json=body, timeout=60) as reply:
        for line in reply.iter_lines():
            if line == "data: [DONE]":
                done = True
            elif line.startswith("data: {"):
                chunk = json.loads(line[6:])
                if chunk.get("usage"):
                    usage.append(chunk["usage"])
                if not chunk["choices"]:
                    continue
                choice = chunk["choices"][0]
                if choice["delta"].get("content"):
                    arrivals.append(time.monotonic() - start)
                    tokens.append(choice["delta"]["content"])
                if choice.get("finish_reason"):
                    finish.append(choice["finish_reason"])
    assert tokens == reply_tokens(TIMING, False)  # every token, once each, in order
    # never early: token i is due TIMING.due(i) after the request arrived
    early = [(i, seen, TIMING.due(i)) for i, seen in enumerate(arrivals) if seen < TIMING.due(i)]
    assert not early, early
    assert finish == ["stop"] and done
    [counts] = usage
    assert counts["completion_tokens"] == TIMING.reply_tokens
    assert counts["total_tokens"] == counts["prompt_tokens"] + TIMING.reply_tokens


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
    """Short thinking pauses in a few seconds of conversation: each talker starts within half a
    second and has many turns' time, so the figures exist even when every turn is slow."""
    keys = {"connected", "active", "errors", "added_ttft_p50_ms", "added_ttft_p95_ms", "msgs_per_s",
            "rss_mb_per_connection"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "load.py"), "--users", "20", "--active", "5", "--json",
         "--duration-s", "6", "--think-s", "0.5", "--embedder", "hash"],
        capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(figures) == keys
    assert figures["connected"] == 20 and figures["active"] == 5 and figures["errors"] == 0
    assert figures["msgs_per_s"] > 0
    assert figures["added_ttft_p95_ms"] == figures["added_ttft_p95_ms"]  # measured: not NaN
