"""How well os1 draws facts from what the user says, and notices when they change.

Reads a labelled corpus (``benchmarks/data/facts_corpus.txt``, its format in its header): lasting
facts, possessives, conjunctions, people named after their introduction, changes said directly
and indirectly, and questions, hypotheticals, negations and one-off remarks that must give no
lasting fact. Each item is told, a day per sentence, to a fresh ``SQLiteMemory`` through the same
extraction and ``add_facts`` a turn uses, and the facts its last sentence left are compared with
the labels (subject, attribute, value; values compared without case or a leading article).

Reported, for the ``dev`` items (every item but each fourth, used for tuning the rules) and the
``held`` items (each fourth, never looked at while tuning), and both:

- ``precision``: stored facts that are labelled, over stored facts;
- ``recall``: labelled facts stored, over labelled facts;
- ``superseded_detected``: changes whose old value was closed (``valid_to`` set), over changes;
- ``invented``: facts stored from questions, hypotheticals or negations (goal 0);
- ``one_off_kept``: facts stored from one-off remarks.

    python benchmarks/facts.py [--json] [--errors] [--model NAME] [--corpus PATH] [--sample N]

Two more corpora in the same format, ``facts_fresh.txt`` and ``facts_fresh2.txt`` (another voice:
other people, jobs, pets, places and phrasings), measure the rules on wording they were not shaped
on (``--corpus``). The rule path runs always; with ``--model NAME`` (a model configured in os1's settings) the
model's JSON-schema path is measured too, on its own (``model``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from os1.memory.base import FactDraft
from os1.memory.extract import extract_llm, extract_rules, is_exclusive
from os1.memory.sqlite import SQLiteMemory
from os1.testing import FakeEmbedder

CORPUS = Path(__file__).parent / "data" / "facts_corpus.txt"
NO_FACTS = ("question", "hypothetical", "negation")
DAY = 86400.0
START = 1_780_000_000.0  # the first sentence's time: a fixed day, so runs are alike
Triple = tuple[str, str, str]
Extract = Callable[[str], Awaitable[list[FactDraft]]]


@dataclass(frozen=True)
class Item:
    number: int
    kind: str
    said: tuple[str, ...]
    facts: frozenset[Triple]
    replaces: Triple | None

    @property
    def split(self) -> str:
        return "held" if self.number % 4 == 3 else "dev"


@dataclass
class Tally:
    stored: int = 0
    right: int = 0
    labelled: int = 0
    found: int = 0
    changes: int = 0
    closed: int = 0
    invented: int = 0
    one_off_kept: int = 0
    items: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        return {"items": self.items,
                "precision": round(self.right / self.stored, 3) if self.stored else 1.0,
                "recall": round(self.found / self.labelled, 3) if self.labelled else 1.0,
                "superseded_detected": round(self.closed / self.changes, 3) if self.changes else 1.0,
                "invented": self.invented, "one_off_kept": self.one_off_kept,
                "stored": self.stored, "labelled": self.labelled, "changes": self.changes}


def normal(value: str) -> str:
    value = value.lower().strip().rstrip(".")
    return re.sub(r"^(?:a|an|the|my)\s+", "", value)


def triple(text: str) -> Triple:
    subject, predicate, value = (part.strip() for part in text.split("|"))
    return subject, predicate, normal(value)


def _said_facts(rest: str) -> tuple[str, str]:
    """The sentences of an item and its labelled facts ("=>" may close the line with none)."""
    said, _, facts = re.sub(r"\s*=>\s*$", "", rest.rstrip()).partition(" => ")
    return said, facts


def read_corpus(path: Path) -> list[Item]:
    items: list[Item] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, _, rest = line.partition(": ")
        rest, _, old = rest.partition(" ! ")
        said, facts = _said_facts(rest)
        labelled = frozenset(triple(t) for t in facts.split(";") if t.strip())
        items.append(Item(len(items), kind.strip(), tuple(s.strip() for s in said.split(" >> ")),
                          labelled, triple(old) if old.strip() else None))
    return items


async def run_item(item: Item, extract: Extract, where: Path) -> tuple[set[Triple], bool | None]:
    """The facts the item's last sentence left current, and whether the value it replaces was
    closed (None: it replaces none)."""
    store = await SQLiteMemory.open(where / f"{item.number}.sqlite3", FakeEmbedder())
    try:
        at = START
        for said in item.said:
            source = await store.add_utterance(None, "user", said, created_at=at, learn=False)
            new = await store.add_facts(await extract(said), source.id, exclusive=is_exclusive, at=at)
            at += DAY
        stored = {(f.subject or "", f.predicate or "", normal(f.object or "")) for f in new}
        if item.replaces is None:
            return stored, None
        facts = await store.list_memories(kind="fact", limit=-1)
        closed = any((f.subject, f.predicate, normal(f.object or "")) == item.replaces
                     and f.valid_to is not None for f in facts)
        return stored, closed
    finally:
        await store.close()


def score(tally: Tally, item: Item, stored: set[Triple], closed: bool | None) -> None:
    tally.items += 1
    tally.stored += len(stored)
    tally.right += len(stored & item.facts)
    tally.labelled += len(item.facts)
    tally.found += len(item.facts & stored)
    if closed is not None:
        tally.changes += 1
        tally.closed += closed
    if item.kind in NO_FACTS:
        tally.invented += len(stored)
    if item.kind == "oneoff":
        tally.one_off_kept += len(stored)
    if stored != item.facts or closed is False:
        tally.errors.append({"item": item.number, "split": item.split, "kind": item.kind,
                             "said": " >> ".join(item.said), "missed": sorted(item.facts - stored),
                             "wrong": sorted(stored - item.facts), "closed": closed})


async def measure(items: list[Item], extract: Extract) -> dict[str, Tally]:
    tallies = {"dev": Tally(), "held": Tally(), "all": Tally()}
    with tempfile.TemporaryDirectory(prefix="os1-facts-") as where:
        for item in items:
            stored, closed = await run_item(item, extract, Path(where))
            score(tallies[item.split], item, stored, closed)
            score(tallies["all"], item, stored, closed)
    return tallies


async def rules(text: str) -> list[FactDraft]:
    return extract_rules(text)


def model_extractor(name: str) -> Extract:
    from os1.config import load_settings
    from os1.llm.backends import build_model

    models = load_settings().llm.models
    if name not in models:
        raise SystemExit(f"facts.py: error: no model named {name!r}; configured: {', '.join(sorted(models))}")
    model = build_model(models[name])

    async def extract(text: str) -> list[FactDraft]:
        return await extract_llm(model, text)
    return extract


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--errors", action="store_true", help="list the items scored wrong (dev only)")
    parser.add_argument("--model", metavar="NAME", help="also measure this model's JSON-schema path")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--sample", type=int, metavar="N",
                        help="only N items, evenly spread (a small local model takes seconds each)")
    args = parser.parse_args()
    items = read_corpus(args.corpus)
    if args.sample:
        items = items[::max(1, len(items) // args.sample)][:args.sample]
    paths: dict[str, Extract] = {"rules": rules}
    if args.model:
        paths["model"] = model_extractor(args.model)
    report: dict[str, Any] = {"sentences": sum(len(i.said) for i in items), "items": len(items)}
    errors: list[dict[str, Any]] = []
    for name, extract in paths.items():
        started = time.perf_counter()
        tallies = asyncio.run(measure(items, extract))
        report[name] = {split: t.figures() for split, t in tallies.items()}
        report[name]["seconds"] = round(time.perf_counter() - started, 1)
        errors += [dict(e, path=name) for e in tallies["dev"].errors]
    if args.errors:
        report["errors"] = errors
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return
    print(json.dumps(report, ensure_ascii=False, indent=1), file=sys.stdout)


if __name__ == "__main__":
    main()
