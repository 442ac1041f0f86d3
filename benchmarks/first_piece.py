"""How soon a spoken reply's first piece is ready to synthesize, for ways of cutting the stream.

The bundled model answers a set of questions once; each reply's text deltas are kept with their
times. The same streams are then cut by ``Chunker`` with each setting of the first piece's length
(a clause of at least N words, or at most M words), so the settings are compared on identical
token timings: the time from the first token to the first piece, the piece's length in words, and
espeak-ng's time to synthesize it. Speech runs at about three words a second and the model writes
several times faster, so a shorter first piece only moves the first sound earlier.

    python benchmarks/first_piece.py [--json] [--settings 3:7,2:4] [--model NAME]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from os1.config import load_settings
from os1.runtime import Runtime
from os1.types import TextDelta
from os1.voice.speakable import Chunker
from os1.voice.tts import EspeakTTS

sys.path.insert(0, str(Path(__file__).resolve().parent))
from voice_latency import QUESTIONS  # noqa: E402

Stream = list[tuple[float, str]]  # (seconds after the first token, text)


async def streams(model: str | None, max_tokens: int) -> list[Stream]:
    """One reply per question from a fresh companion, with the time of each delta."""
    home = Path(tempfile.mkdtemp(prefix="os1-first-piece-"))
    runtime = await Runtime.open(load_settings(home=home, llm={"max_tokens": max_tokens}), model)
    out: list[Stream] = []
    try:
        companion = await runtime.companion(interactive=True)
        companion.settings = replace(companion.settings, max_tokens=max_tokens)
        await companion.warm_up()
        for question in QUESTIONS:
            first: float | None = None
            stream: Stream = []
            async with contextlib.aclosing(companion.respond(question)) as events:
                async for event in events:
                    if isinstance(event, TextDelta):
                        now = time.perf_counter()
                        first = now if first is None else first
                        stream.append((now - first, event.text))
            if stream:
                out.append(stream)
    finally:
        await runtime.close()
    return out


def first_piece(stream: Stream, chunker: Chunker) -> tuple[float, str]:
    """When the chunker gives its first piece, and the piece."""
    for at, text in stream:
        if pieces := chunker.feed(text):
            return at, pieces[0]
    rest = chunker.flush()
    return stream[-1][0], rest[0] if rest else ""


def figures(replies: list[Stream], clause: int, longest: int) -> dict[str, float]:
    tts = EspeakTTS()
    ready, words, synth = [], [], []
    for stream in replies:
        at, piece = first_piece(stream, Chunker(clause, longest))
        if not piece:  # a reply of whitespace alone: nothing to say
            continue
        began = time.perf_counter()
        tts.synthesize(piece)
        synth.append(time.perf_counter() - began)
        ready.append(at)
        words.append(len(piece.split()))
    ms = 1000.0
    return {"ready_p50_ms": round(statistics.median(ready) * ms),
            "ready_p95_ms": round(float(np.percentile(ready, 95)) * ms),
            "words_p50": statistics.median(words), "synthesis_p50_ms": round(statistics.median(synth) * ms)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--settings", default="3:7,2:5,2:4,1:3",
                        help="first pieces to compare, CLAUSE:WORDS each (today's default is 2:4)")
    parser.add_argument("--max-tokens", type=int, default=32)
    parser.add_argument("--model", default=None, help="a configured model (default: the bundled one)")
    args = parser.parse_args()
    replies = asyncio.run(streams(args.model, args.max_tokens))
    gaps = [stream[-1][0] / max(1, len(stream) - 1) for stream in replies]
    out: dict[str, object] = {"replies": len(replies),
                              "delta_p50_ms": round(statistics.median(gaps) * 1000, 1)}
    for setting in args.settings.split(","):
        clause, longest = (int(n) for n in setting.split(":"))
        out[setting] = figures(replies, clause, longest)
    if args.json:
        print(json.dumps(out))
        return
    for key, value in out.items():
        print(f"{key:14} {value}")


if __name__ == "__main__":
    main()
