"""MiniLM embedding speed: the wheel's graph (float32 products, the baseline) against the int8
arithmetic rewrite, in the same process, alternating rounds so that a busy machine slows both.

Batch ingest embeds every text in one ``embed`` call (sorted by length and cut into batches inside)
and reports texts per second of wall time and per CPU-second; a query is one text alone, reported
as p50/p95 milliseconds. Cosine agreement with the baseline's vectors is printed too.

    python benchmarks/embedder.py [--data locomo-dev.json] [--rounds 3] [--json]

With ``--data`` the texts are LoCoMo's turns (as benchmarks/locomo.py stores them); without it,
the synthetic sentences of benchmarks/synthetic.py.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

from synthetic import QUERIES, pct, sentence

from os1.memory.base import Vectors
from os1.memory.embedding.embedders import MiniLMEmbedder

QUERY_TEXTS = 100


def locomo_texts(path: Path) -> list[str]:
    from locomo import sessions

    return [t.text for sample in json.loads(path.read_text())
            for session in sessions(sample["conversation"]) for t in session]


def batch_run(embedder: MiniLMEmbedder, texts: list[str]) -> tuple[float, float, Vectors]:
    """Texts per wall second and per CPU second, and the vectors."""
    wall, cpu = time.perf_counter(), time.process_time()
    vectors = embedder.embed(texts)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return len(texts) / wall, len(texts) / max(cpu, 1e-9), vectors


def query_run(embedder: MiniLMEmbedder, queries: list[str]) -> list[float]:
    times = []
    for text in queries:
        start = time.perf_counter()
        embedder.embed([text])
        times.append((time.perf_counter() - start) * 1000)
    return times


def measure(embedders: dict[str, MiniLMEmbedder], texts: list[str], queries: list[str],
            rounds: int) -> dict[str, Any]:
    rates: dict[str, list[tuple[float, float]]] = {name: [] for name in embedders}
    latencies: dict[str, list[float]] = {name: [] for name in embedders}
    vectors: dict[str, Vectors] = {}
    for _ in range(rounds):
        for name, embedder in embedders.items():
            per_s, per_cpu_s, vectors[name] = batch_run(embedder, texts)
            rates[name].append((per_s, per_cpu_s))
            latencies[name] += query_run(embedder, queries)
    cosines = (vectors["w8a8"] * vectors["baseline"]).sum(axis=1)
    return {name: {"texts_per_s": round(statistics.median(r[0] for r in rates[name]), 1),
                   "texts_per_cpu_s": round(statistics.median(r[1] for r in rates[name]), 1),
                   "query_p50_ms": round(pct(latencies[name], 0.5), 2),
                   "query_p95_ms": round(pct(latencies[name], 0.95), 2)} for name in embedders} | {
        "cosine_min": round(float(cosines.min()), 4), "cosine_mean": round(float(cosines.mean()), 5),
        "texts": len(texts), "rounds": rounds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="LoCoMo JSON file (default: synthetic sentences)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rng = random.Random(7)
    texts = locomo_texts(args.data) if args.data else [sentence(rng) for _ in range(2000)]
    queries = (QUERIES + rng.sample(texts, QUERY_TEXTS))[:QUERY_TEXTS]
    embedders = {"baseline": MiniLMEmbedder(w8a8=False), "w8a8": MiniLMEmbedder()}
    for embedder in embedders.values():
        embedder.embed(["warm up"])  # load (and on the first run, rewrite) outside the timings
    result = measure(embedders, texts, queries, args.rounds)
    if args.json:
        print(json.dumps(result))
        return
    for name in embedders:
        r = result[name]
        print(f"{name:9s} {r['texts_per_s']:7.1f} texts/s ({r['texts_per_cpu_s']:.1f} per CPU-s)"
              f"  query p50 {r['query_p50_ms']:.2f} ms  p95 {r['query_p95_ms']:.2f} ms")
    base, new = result["baseline"], result["w8a8"]
    print(f"ratio    x{new['texts_per_s'] / base['texts_per_s']:.2f} texts/s,"
          f" x{new['texts_per_cpu_s'] / base['texts_per_cpu_s']:.2f} per CPU-s,"
          f" query p50 x{base['query_p50_ms'] / new['query_p50_ms']:.2f} faster;"
          f" cosine min {result['cosine_min']} mean {result['cosine_mean']}")


if __name__ == "__main__":
    main()
