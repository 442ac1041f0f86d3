"""os1 among other agents, measured: the MCP server's memory search, as another assistant meets
it (``os1 mcp serve`` as its own process, driven by the MCP SDK's client over stdio), next to the
same search in-process, on one store of N memories with the bundled embedder; and calls to an
MCP tool server's tool as the companion makes them: the first starts the server (cold), the rest
go over the session kept since. A2A is not built yet: its figures are null.

    python benchmarks/agents.py [--json] [--memories 2000] [--queries 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import get_default_environment, stdio_client

from os1.config import Settings
from os1.memory.base import FactDraft
from os1.runtime import open_store

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


async def over_mcp(home: Path, queries: list[str]) -> list[float]:
    params = StdioServerParameters(command=sys.executable, args=["-m", "os1", "mcp", "serve"],
                                   env={**get_default_environment(), "OS1_HOME": str(home),
                                        "OS1_LOAD_PLUGINS": ""})
    with open(os.devnull, "w") as quiet:  # noqa: ASYNC230 (opening /dev/null does not block)
        async with stdio_client(params, errlog=quiet) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                await session.call_tool("recall", {"query": queries[0]})  # warm, as above
                times = []
                for q in queries:
                    started = time.perf_counter()
                    await session.call_tool("recall", {"query": q})
                    times.append((time.perf_counter() - started) * 1000)
                return times


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


async def measure(memories: int, n_queries: int, calls: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="os1-agents-") as tmp:
        home = Path(tmp)
        os.environ["OS1_HOME"] = str(home)
        settings = Settings(home=home)
        await seed(settings, memories)
        queries = [f"what did Theo say about {TOPICS[i % len(TOPICS)]}?" for i in range(n_queries)]
        local = await in_process(settings, queries)
        served = await over_mcp(home, queries)
        called = await tool_calls(home, calls)
    (lp50, lp95), (mp50, mp95) = percentiles(local), percentiles(served)
    cp50, cp95 = percentiles(called[1:])
    return {"memories": memories, "queries": n_queries,
            "inprocess_search_p50_ms": round(lp50, 2), "inprocess_search_p95_ms": round(lp95, 2),
            "mcp_search_p50_ms": round(mp50, 2), "mcp_search_p95_ms": round(mp95, 2),
            "mcp_tool_call_cold_ms": round(called[0], 1),
            "mcp_tool_call_p50_ms": round(cp50, 2), "mcp_tool_call_p95_ms": round(cp95, 2),
            "a2a_round_trip_p50_ms": None, "a2a_round_trip_p95_ms": None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--memories", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--calls", type=int, default=10)
    args = parser.parse_args()
    figures = asyncio.run(measure(args.memories, args.queries, args.calls))
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:28} {value}")


if __name__ == "__main__":
    main()
