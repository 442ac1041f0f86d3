"""The conversation log: sessions, the turns said in them, and reading memories back."""

from __future__ import annotations

import time
from typing import Any

from os1.errors import MemoryStoreError
from os1.memory.backends.base import Backend, NewMemory, Select
from os1.memory.base import Embedder, Kind, MemoryItem, Provenance, Turn, Vectors
from os1.memory.embedding.passes import embed, embed_turn
from os1.memory.ranking import sentences


def _item(memory_id: int, m: NewMemory) -> MemoryItem:
    """The stored memory, as the row just written holds it."""
    return MemoryItem(memory_id, m.kind, m.text, m.created_at, m.role, m.session_id, m.provenance,
                      m.source_id, m.subject, m.predicate, m.object, None, m.status, m.private)


class ConversationLog:
    """Sessions and utterances, and every way of reading memories back."""

    def __init__(self, backend: Backend, embedder: Embedder) -> None:
        self.backend = backend
        self.embedder = embedder

    async def start_session(self, at: float | None = None) -> int:
        """A new conversation, begun ``at`` (default: now)."""
        async with self.backend.transaction(write=True) as tx:
            return await tx.new_session(time.time() if at is None else at)

    async def add_turn(self, session_id: int | None, text: str, at: float | None = None) -> Turn:
        """Store what the user just said (``at``: when, default now) with its vector and its
        sentences', from one pass of the model (``embed_turn``); the ``Turn`` carries them on
        to ``search``. That vector serves until ``embed_missing`` reads the turn again in its
        session (with the turn before it in view, and a gloss if it refers back)."""
        vector, pieces = await embed_turn(self.embedder, text)
        item = await self.add_utterance(session_id, "user", text, vector=vector, piece_vectors=pieces,
                                        created_at=at, reread=session_id is not None)
        return Turn(item, vector, pieces)

    async def add_utterance(self, session_id: int | None, role: str, text: str, *,
                            status: str = "complete", vector: Vectors | None = None,
                            piece_vectors: Vectors | None = None, created_at: float | None = None,
                            defer_vector: bool = False, learn: bool = True,
                            provenance: Provenance | None = None, reread: bool = False) -> MemoryItem:
        """Store one conversation turn with its vector, in one transaction. With
        ``defer_vector`` the text is stored now and ``embed_missing`` adds the vector later, and
        its sentences' vectors unless ``piece_vectors`` brings them; the user's words are queued
        for fact extraction unless ``learn`` is False. With ``reread`` the vector given is kept
        and still owed: ``embed_missing`` replaces it with one read in the session's context."""
        if vector is None and not defer_vector:
            vector = (await embed(self.embedder, [text]))[0]
        row = NewMemory("utterance", text, created_at or time.time(), role, session_id,
                        provenance or ("user" if role == "user" else "assistant"), status,
                        embedded=vector is not None and not reread, learned=role != "user" or not learn,
                        pieced=piece_vectors is not None or not sentences(text))
        async with self.backend.transaction(write=True) as tx:
            memory_id = await tx.insert(row)
            if vector is not None:
                await tx.put_vector(memory_id, vector)
            if piece_vectors is not None and len(piece_vectors):
                await tx.put_pieces(memory_id, piece_vectors)
        return _item(memory_id, row)

    async def restate(self, memory_id: int, text: str, *, status: str,
                      provenance: Provenance | None = None) -> None:
        """New words for an utterance still being said (a reply as it streams, then as it
        ended), in one transaction; its vectors are owed again (``embed_missing``)."""
        async with self.backend.transaction(write=True) as tx:
            await tx.restate(memory_id, text, status, provenance, not sentences(text))
            await tx.drop_pieces(memory_id)

    async def select(self, query: Select) -> list[MemoryItem]:
        async with self.backend.transaction() as tx:
            return await tx.select(query)

    async def get(self, memory_id: int) -> MemoryItem | None:
        found = await self.select(Select(ids=[memory_id]))
        return found[0] if found else None

    async def list_memories(self, *, kind: Kind | None = None, limit: int = 50, offset: int = 0,
                            newest_first: bool = True) -> list[MemoryItem]:
        """A page of memories; a negative ``limit`` means all of them."""
        return await self.select(Select(kind=kind, limit=limit, offset=offset,
                                        order="-id" if newest_first else "id"))

    async def recent_utterances(self, limit: int, *, before_id: int | None = None) -> list[MemoryItem]:
        """The last ``limit`` utterances across sessions, oldest first."""
        found = await self.select(Select(kind="utterance", before_id=before_id,
                                         order="-id", limit=limit))
        return found[::-1]

    async def related(self, memory_id: int) -> dict[str, list[MemoryItem]]:
        """A memory's context: the utterance a fact came from, the facts drawn from an
        utterance, and every value a fact's subject and predicate have had, oldest first."""
        async with self.backend.transaction() as tx:
            found = await tx.select(Select(ids=[memory_id]))
            if not found:
                raise MemoryStoreError(f"no memory with id {memory_id}")
            item = found[0]
            source = await tx.select(Select(ids=[item.source_id])) if item.source_id else []
            derived = await tx.select(Select(source_id=memory_id))
            history = await tx.select(Select(fact_key=(item.subject, item.predicate), order="time"))
        return {"source": source, "derived": derived, "history": history}

    async def find_utterance(self, text: str, created_at: float) -> int | None:
        found = await self.select(Select(kind="utterance", text=text, near_time=created_at, limit=1))
        return found[0].id if found else None

    async def count(self) -> dict[str, int]:
        async with self.backend.transaction() as tx:
            return await tx.count_kinds()

    async def export(self) -> list[dict[str, Any]]:
        """Every memory as plain data, oldest first (the JSONL export format)."""
        return [item.to_dict() for item in await self.list_memories(limit=-1, newest_first=False)]

    async def profile(self) -> dict[str, str]:
        async with self.backend.transaction() as tx:
            return await tx.profile()

    async def set_profile(self, values: dict[str, str]) -> None:
        async with self.backend.transaction(write=True) as tx:
            await tx.set_profile(values, time.time())
