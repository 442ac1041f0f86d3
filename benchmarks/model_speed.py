"""How fast the bundled model reads a turn's prompt and writes its reply, as os1 runs it and as
it ran before, in one run.

A turn's prompt is the persona and the conversation (cached by llama.cpp from the turn before)
and then what is new: the recalled memories and the user's words. Each variant loads the model in
a process of its own and runs the same turns: a cached prefix of a persona and six exchanges, then
a dozen memories and a question, then a reply of 32 tokens. It prints the new prompt's reading
time and the reply's writing time per token, and each variant's ratio to the first:

  * ``before``: the shipped Q4_1 file, every core reading and writing;
  * ``one writer``: the same file, every core reading, one thread writing;
  * ``one writer, Q8_0``: the same from the file's Q8_0 rewrite (``llm/q8.py``), as os1 runs it.

With ``--busy N``, N processes spin on the CPU throughout, as other work would.

    python benchmarks/model_speed.py [--json] [--turns 12] [--busy 0]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from synthetic import sentence

from os1.config import default_cache_dir
from os1.llm.llamacpp import bundled_model_path, engine_params, start_engine
from os1.llm.q8 import cached_q8

CORES = os.cpu_count() or 1
VARIANTS = {"before": (CORES, False), "one writer": (1, False), "one writer, Q8_0": (1, True)}


def turns(model: Path, writers: int, count: int) -> dict[str, float]:
    """Run ``count`` turns on ``model`` in this process, ``writers`` threads writing: per-token
    reading and writing times, p50."""
    server = start_engine(engine_params(model, 4096, CORES, writers), model)
    rng = random.Random(3)
    persona = {"role": "system", "content": "You are Samantha, a warm and curious companion. " * 20}
    history = [m for _ in range(6) for m in ({"role": "user", "content": sentence(rng)},
                                             {"role": "assistant", "content": "Tell me more."})]
    read, write = [], []
    for n in range(count + 1):  # the first turn fills the cache: not counted
        memories = "\n".join(f"- they said: {sentence(rng)}" for _ in range(12))
        asked = {"role": "user", "content": f"{memories}\nHow are you?"}
        timings = _timings(server, [persona, *history, asked], n)
        if n:
            read.append(timings["prompt_per_token_ms"])
            write.append(timings["predicted_per_token_ms"])
    return {"read_ms_per_token": statistics.median(read), "write_ms_per_token": statistics.median(write)}


def _timings(server: Any, messages: list[dict[str, str]], seed: int) -> dict[str, float]:
    """llama.cpp's own timings of one streamed reply of 32 tokens."""
    chunks: list[dict[str, Any]] = []
    server.handle_chat_completions({"messages": messages, "max_tokens": 32, "temperature": 0.7,
                                    "seed": seed, "stream": True},
                                   lambda c: chunks.append(c) is not None)  # False: go on
    found: dict[str, float] = next(c["timings"] for c in reversed(chunks) if c.get("timings"))
    return found


def variant(writers: int, q8: bool, count: int, cache: Path) -> dict[str, float]:
    """One variant in a fresh process."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, __file__, "--one", str(count), "--writers", str(writers),
                          "--cache", str(cache), *(["--q8"] if q8 else [])],
                         env=env, check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--turns", type=int, default=12, help="turns per variant")
    parser.add_argument("--busy", type=int, default=0, help="processes spinning on the CPU meanwhile")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--q8", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--writers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:  # a variant's own process
        model = bundled_model_path()
        print(json.dumps(turns(cached_q8(model, args.cache) if args.q8 else model, args.writers, args.one)))
        return
    spinning = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)]
    try:
        results = {name: variant(writers, q8, args.turns, default_cache_dir())
                   for name, (writers, q8) in VARIANTS.items()}
    finally:
        for process in spinning:
            process.kill()
            process.wait()
    base = results["before"]
    for figures in results.values():
        figures["read_ratio"] = figures["read_ms_per_token"] / base["read_ms_per_token"]
        figures["write_ratio"] = figures["write_ms_per_token"] / base["write_ms_per_token"]
    if args.json:
        print(json.dumps({"baseline": "before", "busy": args.busy, "variants": results}))
        return
    print(f"{'variant':<18} {'read ms/token':>14} {'ratio':>6} {'write ms/token':>15} {'ratio':>6}")
    for name, r in results.items():
        print(f"{name:<18} {r['read_ms_per_token']:>14.2f} {r['read_ratio']:>6.2f} "
              f"{r['write_ms_per_token']:>15.2f} {r['write_ratio']:>6.2f}")


if __name__ == "__main__":
    main()
