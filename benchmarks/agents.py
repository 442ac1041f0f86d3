"""os1 among other agents, measured: the MCP server's memory search, as another assistant meets
it (``os1 mcp serve`` as its own process, driven by the MCP SDK's client over stdio, and
``os1 mcp serve --http`` over streamable HTTP on loopback), next to the same search in-process,
on one store of N memories with the bundled embedder; and calls to an MCP tool server's tool as
the companion makes them: the first starts the server (cold), the rest go over the session kept
since. And an A2A round trip (a message sent, the whole reply read, with
the SDK's client, as ``os1 meet`` does) to ``os1 serve`` publishing its card, as its own process,
on a model server of fixed timing (``os1.testing.fixed_model``: its schedule, the model's own time,
is reported apart), and to ``os1 persona serve``, which has no model at all.

    python benchmarks/agents.py [--json] [--memories 2000] [--queries 30] [--rounds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import get_default_environment, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import Implementation

from os1.access import local_key
from os1.agents.mcp_consent import grant, grants_path
from os1.config import Settings
from os1.memory.base import FactDraft
from os1.memory.sqlite import store_path
from os1.runtime import open_store

CLIENT = "benchmark"  # the MCP client the benchmark's home allows to read
TOPICS = ("sister", "guitar", "Lisbon", "running", "coffee", "letters", "piano", "garden", "work", "films")
ROOT = Path(__file__).resolve().parents[1]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


async def seed(settings: Settings, n: int) -> None:
    store = await open_store(settings)
    try:
        drafts = [FactDraft(f"Theo mentioned {TOPICS[i % len(TOPICS)]} on day {i}", "Theo", "mentioned",
                            f"{TOPICS[i % len(TOPICS)]} {i}") for i in range(n)]
        for start in range(0, n, 200):
            await store.add_facts(drafts[start:start + 200], None)
        await store.embed_missing()
    finally:
        await store.close()


async def in_process(settings: Settings, queries: list[str]) -> list[float]:
    store = await open_store(settings)
    try:
        await store.search(queries[0], k=5)  # warm: the embedder and the index
        times = []
        for q in queries:
            started = time.perf_counter()
            await store.search(q, k=5)
            times.append((time.perf_counter() - started) * 1000)
        return times
    finally:
        await store.close()


async def timed_recalls(session: ClientSession, queries: list[str]) -> list[float]:
    await session.initialize()
    await session.call_tool("recall", {"query": queries[0]})  # warm, as above
    times = []
    for q in queries:
        started = time.perf_counter()
        found = await session.call_tool("recall", {"query": q})
        times.append((time.perf_counter() - started) * 1000)
        if found.isError:  # a refusal would be timed instead of a search
            raise RuntimeError(f"recall over MCP failed: {found.content}")
    return times


def serve_env(home: Path) -> dict[str, str]:
    return {**get_default_environment(), "OS1_HOME": str(home), "OS1_LOAD_PLUGINS": "",
            **{k: v for k in ("PYTHONPATH",) if (v := os.environ.get(k))}}


async def over_mcp(home: Path, queries: list[str]) -> list[float]:
    params = StdioServerParameters(command=sys.executable, env=serve_env(home),
                                   args=["-m", "os1", "mcp", "serve", "--client", CLIENT])
    with open(os.devnull, "w") as quiet:  # noqa: ASYNC230 (opening /dev/null does not block)
        async with stdio_client(params, errlog=quiet) as (read, write):
            async with ClientSession(read, write) as session:
                return await timed_recalls(session, queries)


async def over_mcp_http(home: Path, queries: list[str]) -> list[float]:
    """The same, with ``os1 mcp serve --http`` on loopback and the SDK's streamable HTTP client."""
    from os1.testing.servers import free_port

    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "os1", "mcp", "serve", "--http", "--port", str(port), env=serve_env(home),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        await _listening(port, proc)
        key = {"Authorization": f"Bearer {local_key(home)}"}  # as `os1 mcp serve --http` asks
        async with httpx.AsyncClient(trust_env=False, headers=key) as http, \
                streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http) as (read, write, _):
            me = Implementation(name=CLIENT, version="1")
            async with ClientSession(read, write, client_info=me) as session:
                return await timed_recalls(session, queries)
    finally:
        proc.terminate()
        await proc.wait()


async def _listening(port: int, proc: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 120
    while proc.returncode is None and time.monotonic() < deadline:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise RuntimeError("os1 mcp serve --http did not listen")


async def tool_calls(home: Path, calls: int) -> list[float]:
    from os1.agents.mcp_client import McpServer
    from os1.config import McpServerConfig

    server_script = ROOT / "tests" / "agents" / "tool_server.py"
    config = McpServerConfig(command=[sys.executable, str(server_script), str(home / "notes.txt")])
    server = McpServer("desk", config, home / "agents" / "mcp-desk.log")
    times = []
    try:
        for _ in range(calls + 1):
            started = time.perf_counter()
            await server.call("weather", {"city": "Oslo"})
            times.append((time.perf_counter() - started) * 1000)
    finally:
        await server.close()
    return times


MODEL_TIMING = ("--first-token-ms", "20", "--tokens-per-s", "1000", "--reply-tokens", "20")
MODEL_MS = 20 + 19  # the fixed model's schedule: first token at 20 ms, then one a millisecond


def _process(args: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/.well-known/agent-card.json", timeout=2).is_success:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{args[3]} did not serve on {port}")


async def round_trips(url: str, rounds: int) -> list[float]:
    from os1.agents.a2a_peer import Peer

    peer = await Peer.reach(url)
    times = []
    try:
        for i in range(rounds + 1):
            started = time.perf_counter()
            [piece async for piece in peer.say(f"What do you think about trusting yourself? ({i})")]
            times.append((time.perf_counter() - started) * 1000)
    finally:
        await peer.close()
    return times[1:]  # the first warms the connection and the server's model client


def a2a(home: Path, rounds: int) -> dict[str, Any]:
    from os1.testing.servers import free_port

    model_port, serve_port, persona_port = free_port(), free_port(), free_port()
    env = {**os.environ, "OS1_MEMORY__EMBEDDER": "hash"}
    model = subprocess.Popen([sys.executable, "-m", "os1.testing.fixed_model", "--port", str(model_port),
                              *MODEL_TIMING], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    served = {**env, "OS1_HOME": str(home / "served"), "OS1_AGENTS__A2A_CARD": "true",
              "OS1_LLM__DEFAULT": "fixed", "OS1_LLM__MODELS__FIXED__KIND": "openai",
              "OS1_LLM__MODELS__FIXED__BASE_URL": f"http://127.0.0.1:{model_port}/v1"}
    texts = ROOT / "tests" / "agents" / "texts" / "self_reliance.txt"
    procs = [model]
    try:
        procs.append(_process([sys.executable, "-m", "os1", "serve", "--port", str(serve_port)], served,
                              serve_port))
        procs.append(_process([sys.executable, "-m", "os1", "persona", "serve", str(texts), "--port",
                               str(persona_port)], {**env, "OS1_HOME": str(home / "persona")}, persona_port))
        to_os1 = asyncio.run(round_trips(f"http://127.0.0.1:{serve_port}", rounds))
        to_persona = asyncio.run(round_trips(f"http://127.0.0.1:{persona_port}", rounds))
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(10)
    (p50, p95), (pp50, pp95) = percentiles(to_os1), percentiles(to_persona)
    return {"rounds": rounds, "a2a_round_trip_p50_ms": round(p50, 2), "a2a_round_trip_p95_ms": round(p95, 2),
            "a2a_model_ms": MODEL_MS, "a2a_round_trip_beside_model_p50_ms": round(p50 - MODEL_MS, 2),
            "a2a_persona_round_trip_p50_ms": round(pp50, 2), "a2a_persona_round_trip_p95_ms": round(pp95, 2)}


async def measure(home: Path, memories: int, n_queries: int, calls: int) -> dict[str, Any]:
    settings = Settings(home=home)
    await seed(settings, memories)
    queries = [f"what did Theo say about {TOPICS[i % len(TOPICS)]}?" for i in range(n_queries)]
    local = await in_process(settings, queries)
    grant(grants_path(store_path(home, settings.user).parent), CLIENT, frozenset({"read"}))
    served = await over_mcp(home, queries)
    served_http = await over_mcp_http(home, queries)
    called = await tool_calls(home, calls)
    (lp50, lp95), (mp50, mp95) = percentiles(local), percentiles(served)
    hp50, hp95 = percentiles(served_http)
    cp50, cp95 = percentiles(called[1:])
    return {"memories": memories, "queries": n_queries,
            "inprocess_search_p50_ms": round(lp50, 2), "inprocess_search_p95_ms": round(lp95, 2),
            "mcp_search_p50_ms": round(mp50, 2), "mcp_search_p95_ms": round(mp95, 2),
            "mcp_http_search_p50_ms": round(hp50, 2), "mcp_http_search_p95_ms": round(hp95, 2),
            "mcp_tool_call_cold_ms": round(called[0], 1),
            "mcp_tool_call_p50_ms": round(cp50, 2), "mcp_tool_call_p95_ms": round(cp95, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--memories", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="os1-agents-") as tmp:
        home = Path(tmp)
        os.environ["OS1_HOME"] = str(home)
        figures = asyncio.run(measure(home, args.memories, args.queries, args.calls))
        figures.update(a2a(home, args.rounds))
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:28} {value}")


if __name__ == "__main__":
    main()
