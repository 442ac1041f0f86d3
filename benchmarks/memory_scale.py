"""Search latency as the store grows: p50/p95 of ``SQLiteMemory.search`` at 10k and 100k memories,
with the query embedding timed separately, against a baseline of the same store's plain FTS5
BM25 query over the same words, measured in the same run.

Filler memories are synthetic sentences; their vectors are real embeddings of a pool of such
sentences, reused with noise (see turn_overhead.py).

    python benchmarks/memory_scale.py [--json] [--sizes 10000,100000] [--queries 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from synthetic import QUERIES, fill, pct, sentence

from os1.memory.embedding.embedders import MiniLMEmbedder
from os1.memory.ranking import content_words
from os1.memory.sqlite import SQLiteMemory


async def measure(store: SQLiteMemory, queries: list[str]) -> dict[str, float]:
    embed_ms, search_ms, bm25_ms = [], [], []
    for query in queries:
        start = time.perf_counter()
        vector = (await store.embed([query]))[0]
        embed_ms.append((time.perf_counter() - start) * 1e3)
        start = time.perf_counter()
        await store.search(query, vector=vector, k=10)
        search_ms.append((time.perf_counter() - start) * 1e3)
        start = time.perf_counter()
        async with store.backend.transaction() as tx:
            await tx.word_ranks(content_words(query), 10, None)
        bm25_ms.append((time.perf_counter() - start) * 1e3)
    return {"embed_p50_ms": pct(embed_ms, 0.5), "search_p50_ms": pct(search_ms, 0.5),
            "search_p95_ms": pct(search_ms, 0.95), "bm25_baseline_p50_ms": pct(bm25_ms, 0.5),
            "bm25_baseline_p95_ms": pct(bm25_ms, 0.95)}


async def run(sizes: list[int], n_queries: int, say: bool) -> list[dict[str, float]]:
    rng = random.Random(11)
    embedder = MiniLMEmbedder()
    pool_texts = [sentence(rng) for _ in range(2000)]
    pool = (pool_texts, embedder.embed(pool_texts))
    queries = [QUERIES[i % len(QUERIES)] + ("" if i < len(QUERIES) else f" {sentence(rng)}")
               for i in range(n_queries)]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        store = await SQLiteMemory.open(Path(tmp) / "scale.sqlite3", embedder)
        for size in sorted(sizes):
            rate = await fill(store, size, rng, pool)
            if say:
                print(f"  {size:,} memories ({rate:,.0f} inserts/s)", file=sys.stderr)
            results.append({"memories": size, **await measure(store, queries)})
        await store.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=60)
    args = parser.parse_args()
    results = asyncio.run(run([int(s) for s in args.sizes.split(",")], args.queries, not args.json))
    if args.json:
        print(json.dumps({"baseline": "plain FTS5 BM25 top-10, same store", "results": results}))
        return
    print(f"{'memories':>9} {'embed p50':>10} {'search p50':>11} {'search p95':>11} "
          f"{'bm25 p50':>9} {'bm25 p95':>9} {'p95 ratio':>10}")
    for r in results:
        print(f"{r['memories']:>9,} {r['embed_p50_ms']:>8.2f}ms {r['search_p50_ms']:>9.2f}ms "
              f"{r['search_p95_ms']:>9.2f}ms {r['bm25_baseline_p50_ms']:>7.2f}ms "
              f"{r['bm25_baseline_p95_ms']:>7.2f}ms {r['search_p95_ms'] / r['bm25_baseline_p95_ms']:>9.1f}x")


if __name__ == "__main__":
    main()
