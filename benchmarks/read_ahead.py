"""How soon a turn's first token comes when its prompt was read ahead (``Companion.foresee``, what
voice does while a turn's short wait runs), against the same turn read only when it comes.

One real runtime on the bundled model: a few turns build a conversation with memories to recall,
then each question is asked twice, once read ahead and once not, alternating which goes first.
Before each, the model reads the next turn's start (``warm_up``), as after every reply. The time
is from asking to the first token; the reading ahead is timed apart (in voice it runs during the
wait, before the turn ends).

    python benchmarks/read_ahead.py [--json] [--rounds 2] [--model NAME]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from synthetic import QUERIES, pct

from os1.agent.companion import Companion
from os1.config import load_settings
from os1.runtime import Runtime
from os1.types import TextDelta

TOLD = ["I swam in the sea at the beach last week with my sister.", "My mother wrote me a letter in May.",
        "Tom and I went to the museum in Lisbon.", "I listened to jazz at a rooftop bar after work.",
        "We walked by the lake on the weekend and it rained.", "I cooked dinner for Ana last night."]


async def first_token(companion: Companion, text: str) -> float:
    """Seconds from asking to the reply's first token; the turn then runs to its end."""
    began, first = time.perf_counter(), None
    async for event in companion.respond(text):
        if first is None and isinstance(event, TextDelta):
            first = time.perf_counter() - began
    await companion.drain()
    return first if first is not None else time.perf_counter() - began


async def run(args: argparse.Namespace) -> dict[str, object]:
    home = Path(tempfile.mkdtemp(prefix="os1-read-ahead-"))
    try:
        runtime = await Runtime.open(load_settings(home=home, llm={"max_tokens": 16}), args.model)
        try:
            companion = await runtime.companion(interactive=True)
            companion.settings = replace(companion.settings, max_tokens=16)
            for said in TOLD * 2:
                await first_token(companion, said)
            plain: list[float] = []
            ahead: list[float] = []
            reading: list[float] = []
            for n in range(args.rounds * len(QUERIES)):
                question = QUERIES[n % len(QUERIES)]
                for read_ahead in (n % 2 == 0, n % 2 == 1):
                    await companion.warm_up()
                    if read_ahead:
                        began = time.perf_counter()
                        await companion.foresee(question)
                        reading.append(time.perf_counter() - began)
                    (ahead if read_ahead else plain).append(await first_token(companion, question))
                print(f"{n + 1}/{args.rounds * len(QUERIES)}", file=sys.stderr)
        finally:
            await runtime.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return {"turns": len(plain), **_figures("first_token", plain),
            **_figures("read_ahead_first_token", ahead), **_figures("reading_ahead", reading)}


def _figures(name: str, seconds: list[float]) -> dict[str, int]:
    return {f"{name}_p50_ms": round(pct(seconds, 0.5) * 1000),
            f"{name}_p95_ms": round(pct(seconds, 0.95) * 1000)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--rounds", type=int, default=2,
                        help="times each of the 10 questions is asked each way")
    parser.add_argument("--model", default=None, help="a configured model (default: the bundled one)")
    args = parser.parse_args()
    figures = asyncio.run(run(args))
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:32} {value}")


if __name__ == "__main__":
    main()
