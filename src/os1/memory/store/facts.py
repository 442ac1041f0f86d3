"""Facts about the user: stored once, superseded by a newer value where a predicate holds one
value at a time, current again when they become true again. A fact about a person named without
their relation ("Ana moved to Porto") is about the one the user introduced by that name ("my
sister Ana"), when there is one."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from os1.memory.backends.base import Backend, NewMemory, Select, Tx
from os1.memory.base import Embedder, FactDraft, MemoryItem
from os1.memory.embedding.passes import embed


def fact_hash(text: str) -> str:
    normal = " ".join(re.findall(r"\w+", text.lower()))
    return hashlib.sha256(normal.encode()).hexdigest()


def is_named(subject: str) -> bool:
    """A subject that is a person's name, not the user or one of the user's relations."""
    return subject != "user" and not subject.startswith("user's ")


async def resolve(tx: Tx, draft: FactDraft) -> FactDraft:
    """The draft about the person the user introduced by its subject's name, if any: "Ana"
    becomes "user's sister" once "my sister Ana" is known (the newest such introduction)."""
    if not is_named(draft.subject):
        return draft
    known = [f for f in await tx.select(Select(fact_value=("name", draft.subject), order="-id"))
             if f.valid_to is None and f.subject]
    if not known or known[0].subject is None:
        return draft
    subject = known[0].subject
    text = draft.text.replace(draft.subject, f"The {subject}", 1) if draft.text.startswith(
        draft.subject) else draft.text
    return replace(draft, subject=subject, text=text)


class Facts:
    """``add_facts``."""

    def __init__(self, backend: Backend, embedder: Embedder) -> None:
        self.backend = backend
        self.embedder = embedder

    async def add_facts(self, drafts: Sequence[FactDraft], source_id: int | None,
                        exclusive: Callable[[str], bool] = lambda _: False,
                        at: float | None = None) -> list[MemoryItem]:
        """Store new facts as of ``at`` (default: the clock), each dated ``since`` before it; a
        repeated fact is not stored twice, a fact whose predicate is exclusive (one value at a
        time, like where someone lives) supersedes the old value, and a fact that ``ends``
        subjects closes their current facts ("we broke up"). The store's fact writers take
        turns, so two at once leave one current value."""
        if not drafts:
            return []
        now = time.time() if at is None else at
        added: list[int] = []
        async with self.backend.transaction() as tx:
            resolved = [await resolve(tx, d) for d in drafts]
        stated = [d for d in resolved if not d.closes]
        vectors = list(await embed(self.embedder, [d.text for d in stated])) if stated else []
        async with self.backend.transaction(write=True) as tx:
            await tx.serialize("facts")
            # a fact drawn from a private sentence is private too (store.privacy)
            source = await tx.select(Select(ids=[source_id])) if source_id is not None else []
            private = bool(source) and source[0].private
            for draft in (d for d in resolved if d.closes):  # "I quit Tesco": the value ends
                await _end(tx, draft, now - draft.since)
            for draft, vector in zip(stated, vectors, strict=True):
                when = now - draft.since
                digest = fact_hash(draft.text)
                known = await tx.fact(digest)
                if known is not None and known[1] is None:
                    continue  # already known and current
                await _close(tx, draft, exclusive, when)
                if known is not None:  # true again ("I moved back to Lisbon"): current once more
                    await tx.revive(known[0])
                    continue
                added.append(await tx.insert(NewMemory(
                    "fact", draft.text, when, provenance=draft.provenance, source_id=source_id,
                    subject=draft.subject, predicate=draft.predicate, object=draft.object,
                    content_hash=digest, private=private)))
                await tx.put_vector(added[-1], vector)
            return await tx.select(Select(ids=added)) if added else []


def same_value(a: str, b: str) -> bool:
    """Two values that name one thing ("Tesco", "tesco"; "the bakery", "bakery")."""
    def bare(value: str) -> str:
        return re.sub(r"^(?:a|an|the|my|our)\s+", "", value.lower().strip(" .'\""))
    return bare(a) == bare(b)


async def _end(tx: Tx, draft: FactDraft, when: float) -> None:
    """Close the subject's current facts that the draft names: linked by subject and value, and
    by attribute when it says one ("I quit Tesco" closes the job at Tesco, whatever words
    first stated it)."""
    for fact in await tx.select(Select(fact_subject=draft.subject)):
        if fact.valid_to is not None:
            continue
        if draft.predicate and fact.predicate != draft.predicate:
            continue
        if draft.object and not same_value(fact.object or "", draft.object):
            continue
        await tx.close_fact(fact.id, max(when, fact.created_at))  # said later than it began: not before


async def _close(tx: Tx, draft: FactDraft, exclusive: Callable[[str], bool], when: float) -> None:
    """End what the new fact replaces: the old value of an exclusive predicate, and every
    current fact about the subjects it ends."""
    if exclusive(draft.predicate):
        await tx.supersede(draft.subject, draft.predicate, when)
    for subject in draft.ends:
        current = await tx.select(Select(fact_subject=subject))
        for predicate in {f.predicate for f in current if f.valid_to is None and f.predicate}:
            await tx.supersede(subject, predicate, when)
