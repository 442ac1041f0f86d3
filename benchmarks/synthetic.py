"""Synthetic memories for the scale benchmarks: template sentences, and a fast way to fill a
store with them using real embeddings of a pool of such sentences, reused with a little noise."""

from __future__ import annotations

import random
import time

import numpy as np

from os1.memory.sqlite import SQLiteMemory

PEOPLE = ["Ana", "my sister", "Tom", "my mother", "Paul", "Amy", "my boss", "Charles", "the kids", "Lewman"]
VERBS = ["walked to", "argued about", "cooked dinner at", "wrote a letter about", "listened to music at",
         "played a game at", "talked about", "took photos at", "read a book at", "fell asleep at"]
PLACES = ["the beach", "the office", "Lisbon", "the park", "the old cinema", "home", "the train station",
          "a rooftop bar", "the museum", "the lake", "grandma's house", "the bakery"]
WHEN = ["on Monday", "last night", "this morning", "in May", "after work", "at dawn", "on the weekend"]
FEEL = ["and it felt good", "and I was tired", "and we laughed a lot", "and it rained", "and I missed you",
        "", "and it was strange", "and I felt lonely"]
QUERIES = [
    "Do you remember what I did at the beach?", "What did my sister say last night?",
    "I feel a bit lonely today.", "Tell me about the letter I wrote.", "Where did Tom and I go in May?",
    "What music did I listen to?", "I cooked dinner again, remember the last time?",
    "Have I told you about the museum?", "What do you know about my mother?",
    "Let's talk about the lake.",
]


def sentence(rng: random.Random) -> str:
    return (f"{rng.choice(WHEN).capitalize()} I {rng.choice(VERBS)} {rng.choice(PLACES)} with "
            f"{rng.choice(PEOPLE)} {rng.choice(FEEL)}".strip() + ".")


async def fill(store: SQLiteMemory, target: int, rng: random.Random,
               pool: tuple[list[str], np.ndarray]) -> float:
    """Add synthetic utterances until the store holds ``target`` memories; return inserts/s."""
    texts, vectors = pool
    have = sum((await store.count()).values())
    start = time.perf_counter()
    for i in range(have, target):
        j = rng.randrange(len(texts))
        noisy = vectors[j] + np.random.default_rng(i).normal(scale=0.02, size=vectors.shape[1])
        noisy = (noisy / np.linalg.norm(noisy)).astype(np.float32)
        await store.add_utterance(None, "user", f"{sentence(rng)} ({i})", vector=noisy,
                                  created_at=time.time() - rng.uniform(0, 365 * 86400))
    return (target - have) / max(time.perf_counter() - start, 1e-9)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


