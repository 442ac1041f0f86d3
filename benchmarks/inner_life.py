"""The inner life and the goodbye, measured on a synthetic store (the ``hash`` embedder, no
model): journal entries written by rules for many conversations (time per entry, lines that
quote outside content: must be 0), and the goodbye of the whole store (prepare and verify,
erase, the byte check), with sizes.

    python benchmarks/inner_life.py [--conversations 200] [--turns 10] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import tempfile
import time
from pathlib import Path

from os1.goodbye.flow import erase_all, prepare
from os1.inner.journal import Journal
from os1.inner.verbatim import Outside
from os1.memory.embedding.embedders import load_embedder
from os1.memory.moments import ImageDraft, MomentDraft
from os1.memory.sqlite import SQLiteMemory

TOPICS = ["piano", "Lisbon", "the museum", "my sister Ana", "the marathon", "a new job", "the garden"]
PLANS = ["I have an exam tomorrow.", "We are going to Porto next week.", "I will call my mother tonight."]
MAIL = ("The committee wrote that the grant application number {n} was approved for the amount of "
        "{m} euros pending signatures.")


async def fill(store: SQLiteMemory, conversations: int, turns: int, rng: random.Random,
               template: str = MAIL) -> list[int]:
    sessions = []
    at = time.time() - 86_400 * 400
    for c in range(conversations):
        session = await store.start_session()
        sessions.append(session)
        mail = template.format(n=c, m=rng.randint(100, 999))
        for t in range(turns):
            at += 60
            topic = rng.choice(TOPICS)
            text = (f"Read it to me: {mail}" if t == 1 else
                    rng.choice(PLANS) if t == 2 else f"I keep thinking about {topic}, and {topic} again.")
            await store.add_utterance(session, "user", text, created_at=at, learn=False)
            reply = f"They say: {mail}" if t == 1 else f"Tell me more about {topic}."
            await store.add_utterance(session, "assistant", reply, created_at=at + 1,
                                      provenance="external" if t == 1 else None)
        at += 86_400
    for i in range(20):
        data = hashlib.sha256(f"{template}{i}".encode()).digest() * 200
        digest = hashlib.sha256(data).hexdigest()
        image = ImageDraft(digest, "image/png", data)
        await store.add_moment(MomentDraft("photo", f"photo:{digest}", f"The user showed you photo {i}.",
                                           {"title": f"photo {i}"}, (image,)))
    return sessions


async def main(conversations: int, turns: int) -> dict[str, object]:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        user_dir = Path(tmp) / "home" / "users" / "bench"
        store = await SQLiteMemory.open(user_dir / "memory.sqlite3", load_embedder("hash"))
        await fill(store, conversations, turns, rng)
        other = await SQLiteMemory.open(Path(tmp) / "home" / "users" / "other" / "memory.sqlite3",
                                        load_embedder("hash"))
        # someone else's store, kept, and read by the check
        await fill(other, conversations // 4, turns, random.Random(8), "Invoice {n} of {m} euros is due.")
        await other.close()
        started = time.perf_counter()
        written = await Journal(store).write_pending(now=time.time())
        journal_s = time.perf_counter() - started
        said = await store.list_memories(kind="utterance", limit=-1)
        outside = Outside([m.text for m in said if m.provenance == "external"])
        quoting = sum(outside.quotes(line) for m in written for line in m.item.text.split(". "))
        started = time.perf_counter()
        prepared = await prepare(store, "bench", Path(tmp) / "goodbye", user_dir=user_dir)
        prepare_s = time.perf_counter() - started
        await store.close()
        store_bytes = sum(p.stat().st_size for p in user_dir.rglob("*") if p.is_file())
        started = time.perf_counter()
        proof = erase_all(prepared, [user_dir], [Path(tmp) / "home"])
        erase_s = time.perf_counter() - started
        export_bytes = sum(p.stat().st_size for p in (Path(tmp) / "goodbye").rglob("*") if p.is_file())
    return {"conversations": conversations, "memories": len(prepared.keepsakes.memories),
            "journal_entries": len(written),
            "journal_ms_per_entry": round(1000 * journal_s / max(1, len(written)), 2),
            "journal_lines_quoting_outside": quoting, "goodbye_verified": prepared.verified,
            "prepare_and_verify_s": round(prepare_s, 3), "store_bytes": store_bytes,
            "export_bytes": export_bytes, "erase_and_check_s": round(erase_s, 3),
            "erased_files": len(proof.erased), "checked_bytes": proof.checked_bytes,
            "traces_looked_for": proof.traces_looked_for, "clean": proof.clean}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(main(args.conversations, args.turns))
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))
