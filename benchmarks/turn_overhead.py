"""What os1 adds to a model call: retrieval, prompt assembly and persistence, per turn.

For each store size (default 1k, 10k, 100k memories) it runs real turns on the bundled model and
times, side by side in one run:
  * the raw model call alone, replaying the exact messages the turn sent;
  * the full os1 turn (store the user's words, embed, recall, assemble, stream, store the reply),
    minus the time spent inside the model, which is os1's added time.
Background work after the reply (fact extraction, the reply's vector) is timed separately.

The filler memories are synthetic sentences from templates; their vectors are the real
embedder's vectors of a pool of such sentences, reused with a little noise, so that 100k memories
load in seconds (search cost does not depend on what the vectors say). The turns' own text is
embedded for real.

    python benchmarks/turn_overhead.py [--json] [--sizes 1000,10000,100000] [--turns 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from synthetic import QUERIES, fill, pct, sentence

from os1.agent.companion import Companion, TurnSettings
from os1.agent.events import TurnDone
from os1.agent.persona import Persona
from os1.llm.base import ChatModel, complete
from os1.llm.llamacpp import LlamaCppModel
from os1.memory.embedding.embedders import MiniLMEmbedder
from os1.memory.sqlite import SQLiteMemory
from os1.types import Message, Options, StreamEvent, ToolSpec


class TimedModel:
    """Wraps a model and adds up the time spent waiting on it."""

    def __init__(self, inner: ChatModel) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.spent = 0.0
        self.last_messages: list[Message] = []

    async def check(self) -> str:
        return await self.inner.check()

    async def aclose(self) -> None:
        await self.inner.aclose()

    async def stream(self, messages: Sequence[Message], *, tools: Sequence[ToolSpec] = (),
                     options: Options | None = None) -> AsyncIterator[StreamEvent]:
        self.last_messages = list(messages)
        events = self.inner.stream(messages, tools=tools, options=options).__aiter__()
        while True:
            start = time.perf_counter()
            try:
                event = await events.__anext__()
            except StopAsyncIteration:
                self.spent += time.perf_counter() - start
                return
            self.spent += time.perf_counter() - start
            yield event


async def measure(size: int, store: SQLiteMemory, model: TimedModel, turns: int,
                  max_tokens: int) -> dict[str, float]:
    persona = Persona.from_profile({"user_name": "Theodore", "os_name": "Samantha"})
    settings = TurnSettings(max_tokens=max_tokens, temperature=0.0)
    companion = Companion(model, store, persona, settings)
    options = Options(max_tokens=max_tokens, temperature=0.0)
    added, raw, total, background = [], [], [], []
    for n in range(turns):
        model.spent = 0.0
        start = time.perf_counter()
        async for event in companion.respond(QUERIES[n % len(QUERIES)]):
            if isinstance(event, TurnDone):
                break
        elapsed = time.perf_counter() - start
        bg_start = time.perf_counter()
        await companion.drain()
        background.append((time.perf_counter() - bg_start) * 1e3)
        added.append((elapsed - model.spent) * 1e3)
        total.append(elapsed * 1e3)
        reset = getattr(getattr(model.inner, "_llama", None), "reset", None)
        if reset is not None:
            reset()  # no cached prefix: the baseline pays for its whole prompt
        raw_start = time.perf_counter()
        await complete(model.inner, model.last_messages, options=options)
        raw.append((time.perf_counter() - raw_start) * 1e3)
    return {
        "memories": size,
        "raw_model_p50_ms": statistics.median(raw),
        "turn_p50_ms": statistics.median(total),
        "added_p50_ms": statistics.median(added),
        "added_p95_ms": pct(added, 0.95),
        "ratio_added_to_model": statistics.median(added) / statistics.median(raw),
        "background_p50_ms": statistics.median(background),
    }


async def run(sizes: list[int], turns: int, max_tokens: int, say: bool) -> list[dict[str, float]]:
    rng = random.Random(7)
    embedder = MiniLMEmbedder()
    pool_texts = [sentence(rng) for _ in range(2000)]
    pool = (pool_texts, embedder.embed(pool_texts))
    model = TimedModel(LlamaCppModel(seed=1))
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        store = await SQLiteMemory.open(Path(tmp) / "bench.sqlite3", embedder)
        await complete(model.inner, [Message("user", "warm up")], options=Options(max_tokens=4))
        for size in sorted(sizes):
            rate = await fill(store, size, rng, pool)
            if say:
                print(f"  filled {size:,} memories ({rate:,.0f} inserts/s); running {turns} turns ...",
                      file=sys.stderr)
            results.append(await measure(size, store, model, turns, max_tokens))
        await store.close()
    await model.aclose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--sizes", default="1000,10000,100000", help="store sizes, comma-separated")
    parser.add_argument("--turns", type=int, default=30, help="turns per size")
    parser.add_argument("--max-tokens", type=int, default=16, help="reply length for each model call")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = asyncio.run(run(sizes, args.turns, args.max_tokens, not args.json))
    if args.json:
        print(json.dumps({"baseline": "raw model call, same messages, same process", "results": results}))
        return
    print(f"{'memories':>9} {'model p50':>10} {'turn p50':>9} {'added p50':>10} {'added p95':>10} "
          f"{'added/model':>12} {'background':>11}")
    for r in results:
        print(f"{r['memories']:>9,} {r['raw_model_p50_ms']:>8.1f}ms {r['turn_p50_ms']:>7.1f}ms "
              f"{r['added_p50_ms']:>8.2f}ms {r['added_p95_ms']:>8.2f}ms {r['ratio_added_to_model']:>11.1%} "
              f"{r['background_p50_ms']:>9.1f}ms")


if __name__ == "__main__":
    main()
