"""Evidence recall of os1's own retrieval on LoCoMo (Maharana et al., ACL 2024, arXiv:2402.17753).

Each conversation goes into a fresh ``SQLiteMemory`` (MiniLM embedder) as if told over time: every
session's turns in order, stamped with the session's date (successive turns a few seconds apart),
as ``"Speaker: text"`` plus ``" [shares <caption>]"`` for image turns. Then, for every question of
categories 1-4 (the official codes: 1 multi-hop, 2 temporal, 3 open-domain, 4 single-hop), the
store's ``search`` retrieves turns and we score evidence recall@k: the fraction of the question's
evidence turns among the top k, averaged over questions. Questions whose evidence resolves to no
turn are skipped. One ``search`` call per question at the largest k (the top-k lists for smaller k
are its prefixes); each call is timed whole, including the query's embedding.

The first speaker plays the user and the second os1: their turns are stored with the roles
``user`` and ``assistant``, and their names go into the profile (``user_name``, ``os_name``), as
onboarding and naming put them there, so that a question naming one of them favours that person's
turns.

The questions are asked after the last session: ``search`` gets ``now=`` the time of the
conversation's last turn, for recency and for dates named in a question ("last May").

The data is CC BY-NC 4.0: read it from where it lies (``--data``), never copy it into this repo.

    python benchmarks/locomo.py --data locomo-dev.json [--json] [--k 5,10,20] [--plain] [--loo]

``--plain`` leaves out what the harness's formatting adds: turns are stored without
``"Speaker: "`` and the profile names nobody, so neither the name filter nor the speaker bonus
has anything to go on. ``--loo`` (leave one conversation out) ingests every conversation once,
searches each with every weighting of ``--grid`` (``ranking.Weights``), and scores each
conversation with the weighting that does best at the middle k on the others: a figure for
tuning that does not count in-sample; ``loo_weights`` lists the choices.

With ``--answer-model NAME`` (a model configured in os1's settings, e.g. one behind an
OpenAI-compatible server) each question is also answered from the top ``--answer-k`` memories and
scored by token F1 (``answer_f1``); ``--judge-model NAME`` adds an LLM judge (``judge_accuracy``).
``--answer-limit N`` answers only N questions per conversation, e.g. to smoke-test on the bundled
model, whose answers prove the plumbing, not the intelligence.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from answering import answer, judge, score

from os1.config import load_settings
from os1.llm.backends import build_model
from os1.llm.base import ChatModel
from os1.memory.base import Hit
from os1.memory.embedding.embedders import MiniLMEmbedder
from os1.memory.ranking import Weights
from os1.memory.sqlite import SQLiteMemory

CATEGORIES = (1, 2, 3, 4)  # 5 (adversarial, unanswerable) has no evidence to recall
TURN_GAP_S = 5.0  # seconds between successive turns of a session
INGEST_BATCH = 512  # memories embedded per pass: an import's batch, sorted by length
SESSION_KEY = re.compile(r"^session_(\d+)$")
EVIDENCE_ID = re.compile(r"^D:?(\d+):+(\d+)$")


@dataclass
class Turn:
    dia_id: str
    speaker: str
    text: str
    at: float


@dataclass
class Question:
    text: str
    category: int
    evidence: set[str]
    answer: str = ""


@dataclass
class Tally:
    """Recall sums per k, overall and per category, plus timings."""

    ks: list[int]
    sums: dict[int, float] = field(default_factory=dict)
    count: int = 0
    by_category: dict[int, dict[int, float]] = field(default_factory=dict)
    category_count: dict[int, int] = field(default_factory=dict)
    search_ms: list[float] = field(default_factory=list)
    ingest_turns: int = 0
    ingest_s: float = 0.0
    skipped: int = 0
    f1: dict[int, list[float]] = field(default_factory=dict)
    judged: dict[int, list[bool]] = field(default_factory=dict)

    def add(self, category: int, recalls: dict[int, float]) -> None:
        self.count += 1
        self.category_count[category] = self.category_count.get(category, 0) + 1
        per = self.by_category.setdefault(category, {})
        for k, r in recalls.items():
            self.sums[k] = self.sums.get(k, 0.0) + r
            per[k] = per.get(k, 0.0) + r


def session_time(stamp: str) -> float:
    """``"1:56 pm on 8 May, 2023"`` as a Unix time (read as UTC)."""
    parsed = datetime.strptime(" ".join(stamp.split()).upper(), "%I:%M %p ON %d %B, %Y")
    return parsed.replace(tzinfo=UTC).timestamp()


def turn_text(turn: dict[str, Any], plain: bool = False) -> str:
    text = str(turn["text"]) if plain else f"{turn['speaker']}: {turn['text']}"
    if turn.get("blip_caption"):
        text += f" [shares {turn['blip_caption']}]"
    return text


def sessions(conversation: dict[str, Any], plain: bool = False) -> list[list[Turn]]:
    """The conversation's sessions in time order, each a list of turns with their times; with
    ``plain``, without the speakers' names before the turns."""
    numbers = sorted(int(m.group(1)) for key in conversation if (m := SESSION_KEY.match(key)))
    out: list[list[Turn]] = []
    for n in numbers:
        start = session_time(conversation[f"session_{n}_date_time"])
        out.append([Turn(str(t["dia_id"]), str(t["speaker"]), turn_text(t, plain), start + i * TURN_GAP_S)
                    for i, t in enumerate(conversation[f"session_{n}"])])
    return out


def clean_evidence(raw: list[Any], known: set[str]) -> set[str]:
    """Evidence ids as turn ids: strip parentheses, split ``"D8:6; D9:17"``-style strings, drop the
    extra colon of ``"D:11:26"``, unpad ``"D30:05"``, and keep only ids naming a real turn."""
    found: set[str] = set()
    for entry in raw:
        for part in re.split(r"[;\s]+", str(entry).replace("(", "").replace(")", "")):
            m = EVIDENCE_ID.match(part.strip())
            if m:
                dia_id = f"D{int(m.group(1))}:{int(m.group(2))}"
                if dia_id in known:
                    found.add(dia_id)
    return found


def questions(sample: dict[str, Any], known: set[str], tally: Tally) -> list[Question]:
    out: list[Question] = []
    for qa in sample["qa"]:
        category = int(qa.get("category", 0))
        if category not in CATEGORIES:
            continue
        evidence = clean_evidence(list(qa.get("evidence") or []), known)
        if not evidence:
            tally.skipped += 1
            continue
        out.append(Question(str(qa["question"]), category, evidence, str(qa.get("answer", ""))))
    return out


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def ingest(store: SQLiteMemory, convo: list[list[Turn]], speaker_a: str) -> dict[int, str]:
    """Store every turn in order, then their vectors with their sentences' (one pass of the model
    per turn, in batches of ``INGEST_BATCH``), then the session summaries; memory id -> dia_id.
    This is the companion's own order: a turn is stored at once, its vectors follow after."""
    dia: dict[int, str] = {}
    for session in convo:
        session_id = await store.start_session()
        for turn in session:
            role = "user" if turn.speaker == speaker_a else "assistant"
            item = await store.add_utterance(session_id, role, turn.text, defer_vector=True,
                                             created_at=turn.at)
            dia[item.id] = turn.dia_id
    await store.embed_missing(batch=INGEST_BATCH)
    await store.summarize()  # the session summaries, as the companion builds them after each turn
    return dia


@dataclass
class Answering:
    """Optional: answer each question from the top hits with a model, and judge with another."""

    model: ChatModel
    judge: ChatModel | None
    k: int
    limit: int | None


@dataclass
class Loaded:
    """One conversation told to a fresh store, with its questions."""

    name: str
    store: SQLiteMemory
    dia: dict[int, str]
    asked: list[Question]
    last_turn: float


async def load(sample: dict[str, Any], embedder: MiniLMEmbedder, tally: Tally, folder: Path,
               plain: bool = False) -> Loaded:
    """Tell the conversation to a fresh store in ``folder``; with ``plain``, no speakers' names
    before the turns and none in the profile."""
    conversation = sample["conversation"]
    convo = sessions(conversation, plain)
    known = {t.dia_id for session in convo for t in session}
    asked = questions(sample, known, tally)
    store = await SQLiteMemory.open(folder / "memory.sqlite3", embedder)
    if not plain:
        await store.set_profile({"user_name": str(conversation["speaker_a"]),
                                 "os_name": str(conversation["speaker_b"])})
    started = time.perf_counter()
    dia = await ingest(store, convo, str(conversation["speaker_a"]))
    tally.ingest_s += time.perf_counter() - started
    tally.ingest_turns += len(dia)
    say(f"{sample['sample_id']}: {len(dia)} turns in {len(convo)} sessions, {len(asked)} questions")
    return Loaded(str(sample["sample_id"]), store, dia, asked,
                  max(t.at for session in convo for t in session))


Scores = list[tuple[int, dict[int, float]]]  # per question: its category, its recall per k


async def ask(loaded: Loaded, tally: Tally, answering: Answering | None = None) -> Scores:
    """Ask every question, tallied; each question's category and recalls."""
    out: Scores = []
    for n, q in enumerate(loaded.asked):
        started = time.perf_counter()
        hits = await loaded.store.search(q.text, k=max(tally.ks), now=loaded.last_turn)
        tally.search_ms.append((time.perf_counter() - started) * 1000.0)
        ranked = [loaded.dia.get(h.item.id) for h in hits]
        recalls = {k: len(q.evidence.intersection(ranked[:k])) / len(q.evidence) for k in tally.ks}
        tally.add(q.category, recalls)
        out.append((q.category, recalls))
        if answering and (answering.limit is None or n < answering.limit):
            await answer_one(answering, q, hits[: answering.k], tally)
    return out


async def run_sample(sample: dict[str, Any], embedder: MiniLMEmbedder, tally: Tally,
                     answering: Answering | None = None, plain: bool = False) -> None:
    with tempfile.TemporaryDirectory(prefix="os1-locomo-") as tmp:
        loaded = await load(sample, embedder, tally, Path(tmp), plain)
        try:
            await ask(loaded, tally, answering)
        finally:
            await loaded.store.close()


async def answer_one(answering: Answering, q: Question, hits: list[Hit], tally: Tally) -> None:
    prediction = await answer(answering.model, q.text, hits)
    tally.f1.setdefault(q.category, []).append(score(prediction, q.answer, q.category))
    if answering.judge is not None:
        verdict = await judge(answering.judge, q.text, q.answer, prediction)
        tally.judged.setdefault(q.category, []).append(verdict)


# the weights leave-one-conversation-out tunes (ranking.Weights), each over these values
GRID: dict[str, tuple[float, ...]] = {
    "word": (0.15, 0.25, 0.4),
    "session": (0.3, 0.5, 0.7),
}


def grid(spec: dict[str, tuple[float, ...]]) -> list[Weights]:
    """Every combination of the values of ``spec`` (weight name -> values)."""
    names = list(spec)
    return [Weights(**dict(zip(names, values, strict=True)))
            for values in itertools.product(*(spec[n] for n in names))]


def parse_grid(text: str) -> dict[str, tuple[float, ...]]:
    """``"word=0.15,0.25 feedback=0,0.5"`` as a grid."""
    out: dict[str, tuple[float, ...]] = {}
    for part in text.split():
        name, _, values = part.partition("=")
        if name not in Weights.__dataclass_fields__:
            raise ValueError(f"no weight named {name!r}")
        out[name] = tuple(float(v) for v in values.split(","))
    return out


async def leave_one_out(samples: list[dict[str, Any]], embedder: MiniLMEmbedder, tally: Tally,
                        plain: bool, spec: dict[str, tuple[float, ...]]) -> list[dict[str, float]]:
    """Every conversation scored with the weights (of the grid ``spec``) that do best at the
    middle k on the others, into ``tally``; the weights chosen for each."""
    configs = grid(spec)
    middle = sorted(tally.ks)[len(tally.ks) // 2]
    scores: list[list[Scores]] = []  # [conversation][config]
    with tempfile.TemporaryDirectory(prefix="os1-locomo-") as tmp:
        for n, sample in enumerate(samples):
            folder = Path(tmp) / str(n)
            folder.mkdir()
            loaded = await load(sample, embedder, tally, folder, plain)
            try:
                per: list[Scores] = []
                for weights in configs:
                    loaded.store.recall.weights = weights
                    scratch = Tally(tally.ks)
                    per.append(await ask(loaded, scratch))
                    tally.search_ms += scratch.search_ms
                scores.append(per)
            finally:
                await loaded.store.close()
    chosen: list[dict[str, float]] = []
    for held in range(len(samples)):
        def others(c: int, held: int = held) -> float:
            return sum(r[middle] for n, per in enumerate(scores) if n != held for _, r in per[c])
        best = max(range(len(configs)), key=others)
        chosen.append({name: getattr(configs[best], name) for name in spec})
        for category, recalls in scores[held][best]:
            tally.add(category, recalls)
    return chosen


def percentile(values: list[float], p: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def summary(tally: Tally) -> dict[str, Any]:
    out: dict[str, Any] = {f"recall@{k}": round(tally.sums.get(k, 0.0) / max(tally.count, 1), 4)
                           for k in tally.ks}
    out["search_p50_ms"] = round(percentile(tally.search_ms, 50), 2)
    out["search_p95_ms"] = round(percentile(tally.search_ms, 95), 2)
    out["ingest_turns_per_s"] = round(tally.ingest_turns / max(tally.ingest_s, 1e-9), 1)
    out["per_category"] = {
        str(c): {f"recall@{k}": round(tally.by_category[c][k] / tally.category_count[c], 4)
                 for k in tally.ks}
        for c in sorted(tally.by_category)}
    if tally.f1:
        scores = [s for values in tally.f1.values() for s in values]
        out["answer_f1"] = round(statistics.mean(scores), 4)
        out["answers"] = len(scores)
        for c, values in tally.f1.items():
            out["per_category"][str(c)]["answer_f1"] = round(statistics.mean(values), 4)
    if tally.judged:
        verdicts = [v for values in tally.judged.values() for v in values]
        out["judge_accuracy"] = round(sum(verdicts) / len(verdicts), 4)
    return out


async def run(samples: list[dict[str, Any]], ks: list[int], answering: Answering | None = None,
              *, plain: bool = False, loo: dict[str, tuple[float, ...]] | None = None) -> dict[str, Any]:
    embedder = MiniLMEmbedder()
    embedder.embed(["warm up"])  # load the model outside the timings
    tally = Tally(ks)
    chosen = None
    if loo is not None:
        chosen = await leave_one_out(samples, embedder, tally, plain, loo)
    else:
        for sample in samples:
            await run_sample(sample, embedder, tally, answering, plain)
    say(f"{tally.count} questions scored, {tally.skipped} skipped (no resolvable evidence)")
    out = summary(tally)
    if chosen is not None:
        out["loo_weights"] = chosen
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="locomo10.json or a subset of it")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--k", default="5,10,20", help="comma-separated cut-offs (default 5,10,20)")
    parser.add_argument("--answer-model", metavar="NAME",
                        help="also answer each question with this configured os1 model (see `os1 models`)"
                             " from the top --answer-k memories, scored by token F1")
    parser.add_argument("--judge-model", metavar="NAME", help="and judge each answer with this model")
    parser.add_argument("--answer-k", type=int, default=10, help="memories given to the answer model")
    parser.add_argument("--answer-limit", type=int, metavar="N",
                        help="answer only the first N questions of each conversation (a smoke test)")
    parser.add_argument("--plain", action="store_true",
                        help="turns without their speakers' names, and no names in the profile")
    parser.add_argument("--loo", action="store_true",
                        help="leave one conversation out: each scored with the fusion weights that"
                             " do best on the others (search times then cover every weighting)")
    parser.add_argument("--grid", default=" ".join(f"{n}={','.join(map(str, v))}" for n, v in GRID.items()),
                        help="the weights --loo tunes, as NAME=V1,V2 ... (default: %(default)s)")
    args = parser.parse_args()
    ks = sorted({int(k) for k in args.k.split(",") if k.strip()})
    if not ks or ks[0] < 1:
        parser.error("--k needs positive integers, e.g. 5,10,20")
    samples: list[dict[str, Any]] = json.loads(args.data.read_text(encoding="utf-8"))
    answering = None
    if args.answer_model:
        settings = load_settings()
        pick = settings.llm.models
        for name in filter(None, (args.answer_model, args.judge_model)):
            if name not in pick:
                parser.error(f"no model named {name!r}; configured: {', '.join(sorted(pick))}")
        answering = Answering(build_model(pick[args.answer_model]),
                              build_model(pick[args.judge_model]) if args.judge_model else None,
                              args.answer_k, args.answer_limit)
    if args.loo and (answering or len(samples) < 2):
        parser.error("--loo needs two or more conversations and no --answer-model")
    try:
        spec = parse_grid(args.grid)
    except ValueError as exc:
        parser.error(f"--grid: {exc}")
    result = asyncio.run(run(samples, ks, answering, plain=args.plain,
                             loo=spec if args.loo else None))
    if args.json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        if key not in ("per_category", "loo_weights"):
            print(f"{key:>20}  {value}")
    names = {"1": "multi-hop", "2": "temporal", "3": "open-domain", "4": "single-hop"}
    for category, recalls in result["per_category"].items():
        cells = "  ".join(f"{k} {v:.3f}" for k, v in recalls.items())
        print(f"  category {category} ({names.get(category, '?')}): {cells}")


if __name__ == "__main__":
    main()
