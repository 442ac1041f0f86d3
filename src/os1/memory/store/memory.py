"""``Memory``: one user's memory, the store every caller talks to. It composes its parts, each
over the backend it was opened with, and answers every role of ``os1.memory.roles``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Self

from os1.memory.backends.base import Backend
from os1.memory.base import Embedder, FactDraft, Hit, Kind, MemoryItem, Provenance, Turn, Vectors
from os1.memory.embedding.passes import embed
from os1.memory.moments import Moment, MomentDraft
from os1.memory.sayings import says
from os1.memory.store.facts import Facts
from os1.memory.store.forgetting import Forgetting
from os1.memory.store.learning import Learning
from os1.memory.store.log import ConversationLog
from os1.memory.store.moments import Moments
from os1.memory.store.privacy import Privacy
from os1.memory.store.recall import Recall
from os1.memory.store.summaries import Summaries
from os1.memory.summaries import Summary


class Memory:
    """One user's memory over one backend (``SQLiteMemory``, ``PostgresMemory`` open one)."""

    def __init__(self, backend: Backend, embedder: Embedder) -> None:
        self.backend = backend
        self.embedder = embedder
        self.log = ConversationLog(backend, embedder)
        self.learning = Learning(backend, embedder)
        self.recall = Recall(backend, embedder)
        self.facts = Facts(backend, embedder)
        self.kept = Moments(backend, embedder)
        self.sessions = Summaries(backend)
        self.forgetting = Forgetting(backend, embedder)
        self.privacy = Privacy(backend)

    async def ready(self) -> Self:
        """Before first use: memories whose vectors another model made are embedded again."""
        await self.learning.catch_up()
        return self

    @property
    def files_dir(self) -> Path | None:
        """Where composed pieces' files live on this machine (None: nowhere known)."""
        return self.backend.files_dir

    async def close(self) -> None:
        await self.backend.close()

    async def embed(self, texts: list[str]) -> Vectors:
        return await embed(self.embedder, texts)

    # -- the conversation log --------------------------------------------------------------

    async def start_session(self, at: float | None = None) -> int:
        return await self.log.start_session(at)

    async def add_turn(self, session_id: int | None, text: str, at: float | None = None) -> Turn:
        return await self.log.add_turn(session_id, text, at)

    async def add_utterance(self, session_id: int | None, role: str, text: str, *,
                            status: str = "complete", vector: Vectors | None = None,
                            piece_vectors: Vectors | None = None, created_at: float | None = None,
                            defer_vector: bool = False, learn: bool = True,
                            provenance: Provenance | None = None) -> MemoryItem:
        return await self.log.add_utterance(
            session_id, role, text, status=status, vector=vector, piece_vectors=piece_vectors,
            created_at=created_at, defer_vector=defer_vector, learn=learn, provenance=provenance)

    async def restate(self, memory_id: int, text: str, *, status: str,
                      provenance: Provenance | None = None) -> None:
        await self.log.restate(memory_id, text, status=status, provenance=provenance)

    async def get(self, memory_id: int) -> MemoryItem | None:
        return await self.log.get(memory_id)

    async def list_memories(self, *, kind: Kind | None = None, limit: int = 50, offset: int = 0,
                            newest_first: bool = True) -> list[MemoryItem]:
        return await self.log.list_memories(kind=kind, limit=limit, offset=offset,
                                            newest_first=newest_first)

    async def recent_utterances(self, limit: int, *, before_id: int | None = None) -> list[MemoryItem]:
        return await self.log.recent_utterances(limit, before_id=before_id)

    async def related(self, memory_id: int) -> dict[str, list[MemoryItem]]:
        return await self.log.related(memory_id)

    async def find_utterance(self, text: str, created_at: float) -> int | None:
        return await self.log.find_utterance(text, created_at)

    async def count(self) -> dict[str, int]:
        return await self.log.count()

    async def export(self) -> list[dict[str, Any]]:
        return await self.log.export()

    async def profile(self) -> dict[str, str]:
        return await self.log.profile()

    async def set_profile(self, values: dict[str, str]) -> None:
        await self.log.set_profile(values)

    # -- learning, facts, recall -----------------------------------------------------------

    async def embed_missing(self, batch: int = 64, progress: Callable[[int], None] | None = None,
                            pieces_at_most: int | None = None) -> int:
        return await self.learning.embed_missing(batch, progress, pieces_at_most)

    async def unlearned(self, limit: int = 50) -> list[MemoryItem]:
        return await self.learning.unlearned(limit)

    async def mark_learned(self, memory_id: int) -> None:
        await self.learning.mark_learned(memory_id)

    async def add_facts(self, drafts: Sequence[FactDraft], source_id: int | None,
                        exclusive: Callable[[str], bool] = lambda _: False,
                        at: float | None = None) -> list[MemoryItem]:
        return await self.facts.add_facts(drafts, source_id, exclusive, at)

    async def search(self, query: str, *, k: int = 8, vector: Vectors | None = None,
                     turn: Turn | None = None, kinds: Sequence[Kind] | None = None,
                     exclude: Sequence[int] = (), half_life_days: float = 30.0,
                     include_superseded: bool = False, now: float | None = None) -> list[Hit]:
        return await self.recall.search(query, k=k, vector=vector, turn=turn, kinds=kinds,
                                        exclude=exclude, half_life_days=half_life_days,
                                        include_superseded=include_superseded, now=now)

    # -- summaries, moments, forgetting ----------------------------------------------------

    async def summarize(self, session_id: int | None = None) -> int:
        return await self.sessions.summarize(session_id)

    async def summaries(self, limit: int = 50) -> list[Summary]:
        return await self.sessions.summaries(limit)

    async def add_moment(self, draft: MomentDraft) -> tuple[Moment, bool]:
        return await self.kept.add_moment(draft)

    async def moment(self, memory_id: int) -> Moment | None:
        return await self.kept.moment(memory_id)

    async def moments(self, kind: str | None = None, limit: int = 50, *,
                      key: str | None = None) -> list[Moment]:
        return await self.kept.moments(kind, limit, key=key)

    async def image(self, digest: str) -> tuple[str, bytes] | None:
        return await self.kept.image(digest)

    async def forget(self, memory_id: int) -> bool:
        return await self.forgetting.forget(memory_id)

    async def forget_all(self, memory_ids: Sequence[int]) -> int:
        return await self.forgetting.forget_all(memory_ids)

    async def saying(self, memory_id: int, *, pool: int = 100) -> list[MemoryItem]:
        """Everything that says what a memory says, the memory first: a fact's source sentence,
        the facts drawn from that sentence (forgetting it takes them), the other facts with its
        value, and the user's and os1's words that repeat it (``sayings.says``) among the
        ``pool`` best matches for it; an utterance's facts. Empty if there is no such memory."""
        item = await self.get(memory_id)
        if item is None:
            return []
        related = await self.log.related(memory_id)
        found = {item.id: item}
        for other in [*related["source"], *related["derived"]]:
            found.setdefault(other.id, other)
        if item.kind == "fact" and item.object:
            for source in related["source"]:
                for other in (await self.log.related(source.id))["derived"]:
                    found.setdefault(other.id, other)
            names = frozenset(o.object for o in found.values() if o.kind == "fact" and o.object
                              and o.predicate == "name" and o.subject == item.subject)
            hits = await self.search(item.object, k=pool, include_superseded=True)
            for other in [*related["history"], *(hit.item for hit in hits)]:
                if says(item, other, names):
                    found.setdefault(other.id, other)
        return [item, *sorted((o for o in found.values() if o.id != item.id), key=lambda o: o.id)]

    async def edit(self, memory_id: int, text: str, *, status: str | None = None) -> MemoryItem | None:
        return await self.forgetting.edit(memory_id, text, status=status)

    async def compact(self) -> None:
        await self.forgetting.compact()

    async def keep_private(self, memory_ids: Sequence[int], private: bool = True) -> list[MemoryItem]:
        return await self.privacy.keep_private(memory_ids, private)
