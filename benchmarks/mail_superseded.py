"""Superseded notifications found by meaning: precision and recall on a labelled set.

``benchmarks/data/superseded_pairs.jsonl`` holds pairs of notifications from one sender (an
earlier ``a`` and a later ``b``, ``days`` apart), each labelled ``same`` if ``b`` makes ``a`` out
of date (shipping and delivery, password resets, calendar changes, bills) or not (another order,
another event, an unrelated notice from the same sender). For every pair, ``os1.mail.superseded``
decides with the bundled embedder (``minilm``); the baseline is the same rules without meaning
(identifiers and subject series only), as os1 decided before. Also printed: the rule at other
thresholds, and each pair's cosine with its label, so a threshold can be chosen by eye.

    python benchmarks/mail_superseded.py [--embedder minilm] [--json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from os1.mail.index import Mail
from os1.mail.superseded import SAME_THING, gist, same_thing
from os1.memory.embedding.embedders import load_embedder

PAIRS = Path(__file__).parent / "data" / "superseded_pairs.jsonl"
NOW = 1_780_000_000.0


def notification(n: int, sender: str, subject: str, text: str, days_ago: float) -> Mail:
    return Mail(n, "INBOX", n, f"<{n}@x>", "", f"<{n}@x>", sender, "", "", (), subject,
                NOW - days_ago * 86400, (), text, "", True, str(n), 0)


def load() -> list[dict[str, Any]]:
    return [json.loads(line) for line in PAIRS.read_text().splitlines() if line.strip()]


def scores(decided: list[bool], truth: list[bool]) -> dict[str, float]:
    pairs = [(bool(d), t) for d, t in zip(decided, truth, strict=True)]
    tp = sum(d and t for d, t in pairs)
    fp = sum(d and not t for d, t in pairs)
    fn = sum(t and not d for d, t in pairs)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "tp": tp, "fp": fp, "fn": fn}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--embedder", default="minilm")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    pairs = load()
    embedder = load_embedder(args.embedder)
    mails = [(notification(2 * i, p["sender"], *p["a"], p["days"]),
              notification(2 * i + 1, p["sender"], *p["b"], 0.0)) for i, p in enumerate(pairs)]
    vectors = np.asarray(embedder.embed([gist(m) for pair in mails for m in pair]), dtype=np.float32)
    cosines = [float(vectors[2 * i] @ vectors[2 * i + 1]) for i in range(len(pairs))]
    truth = [bool(p["same"]) for p in pairs]
    decided = [same_thing(a, b, c) for (a, b), c in zip(mails, cosines, strict=True)]
    kinds = [p["kind"] for p in pairs]
    found = {
        "meaning": scores(decided, truth),
        "baseline (identifiers and series only)": scores(
            [same_thing(a, b, -1.0) for a, b in mails], truth),
        "sweep": {f"{t:.2f}": scores([same_thing(a, b, c + SAME_THING - t)
                                      for (a, b), c in zip(mails, cosines, strict=True)], truth)
                  for t in (0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70, 0.80)},
        "by kind": {kind: scores([d for d, k in zip(decided, kinds, strict=True) if k == kind],
                                 [t for t, k in zip(truth, kinds, strict=True) if k == kind])
                    for kind in sorted(set(kinds))},
        "pairs": len(pairs), "positives": sum(truth), "threshold": SAME_THING, "embedder": args.embedder,
    }
    if args.json:
        print(json.dumps(found))
        return
    for name in ("meaning", "baseline (identifiers and series only)"):
        print(f"{name:<42} {found[name]}")
    for kind, s in found["by kind"].items():
        print(f"  {kind:<40} {s}")
    for t, s in found["sweep"].items():
        print(f"  threshold {t}: {s}")
    for p, c in sorted(zip(pairs, cosines, strict=True), key=lambda x: x[1]):
        print(f"  {c:.3f} {'same ' if p['same'] else 'other'} {p['a'][0]} -> {p['b'][0]}")
    print(f"{found['pairs']} pairs ({found['positives']} same), threshold {SAME_THING}")


if __name__ == "__main__":
    main()
