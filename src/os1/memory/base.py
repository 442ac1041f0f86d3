"""Memory value types and the embedder seam."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from os1.memory.moments import Moment, MomentDraft
    from os1.memory.summaries import Summary

Vectors = npt.NDArray[np.float32]
Kind = Literal["utterance", "fact"]
Provenance = Literal["user", "assistant", "inferred", "external", "shared"]  # shared: by the user


@dataclass(frozen=True)
class Pieces:
    """Where a text's sentences lie, to embed each inside the whole text: character ``(start,
    end)`` spans, and ``lead``, the length of a leading speaker's name that each sentence also
    takes in (0 for none)."""

    spans: tuple[tuple[int, int], ...] = ()
    lead: int = 0


class Embedder(Protocol):
    """Texts in, L2-normalised float32 vectors out (one row per text)."""

    model_id: str
    dim: int

    def embed(self, texts: list[str]) -> Vectors:
        """Synchronous and CPU-bound: callers run it off the event loop."""
        ...

    def embed_pieces(self, texts: list[str], pieces: list[Pieces]) -> list[Vectors]:
        """For each text, its vector (row 0, as ``embed`` gives it) and one per span of its
        ``Pieces`` after it. Synchronous and CPU-bound, like ``embed``."""
        ...


@dataclass(frozen=True)
class MemoryItem:
    """One stored memory: an utterance from the conversation, or a fact about the user."""

    id: int
    kind: Kind
    text: str
    created_at: float
    role: str | None = None  # utterances: user or assistant
    session_id: int | None = None
    provenance: Provenance = "user"
    source_id: int | None = None  # facts: the utterance it was extracted from
    subject: str | None = None
    predicate: str | None = None
    object: str | None = None
    valid_to: float | None = None  # set when a newer fact superseded this one
    status: str = "complete"  # utterances: complete | interrupted

    @property
    def when(self) -> str:
        return datetime.fromtimestamp(self.created_at, UTC).astimezone().strftime("%Y-%m-%d %H:%M")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Hit:
    """A retrieved memory with its fused score and the signals behind it."""

    item: MemoryItem
    score: float
    word_rank: int | None = None
    vector_rank: int | None = None


@dataclass(frozen=True)
class FactDraft:
    """A fact extracted from what the user said, before it is stored."""

    text: str
    subject: str
    predicate: str
    object: str
    provenance: Provenance = "user"


class MemoryStore(Protocol):
    """One user's memory, whatever holds it (``SQLiteMemory``, ``PostgresMemory``)."""

    async def start_session(self) -> int: ...

    async def embed(self, texts: list[str]) -> Vectors: ...

    async def embed_turn(self, text: str) -> tuple[Vectors, Vectors | None]: ...

    async def add_utterance(self, session_id: int | None, role: str, text: str, *,
                            status: str = "complete", vector: Vectors | None = None,
                            piece_vectors: Vectors | None = None, created_at: float | None = None,
                            defer_vector: bool = False, learn: bool = True,
                            provenance: Provenance | None = None) -> MemoryItem: ...

    async def add_facts(self, drafts: Sequence[FactDraft], source_id: int | None,
                        exclusive: Callable[[str], bool] = ...) -> list[MemoryItem]: ...

    async def embed_missing(self, batch: int = 64, progress: Callable[[int], None] | None = None,
                            pieces_at_most: int | None = None) -> int: ...

    async def unlearned(self, limit: int = 50) -> list[MemoryItem]: ...

    async def mark_learned(self, memory_id: int) -> None: ...

    async def search(self, query: str, *, k: int = 8, vector: Vectors | None = None,
                     kinds: Sequence[Kind] | None = None, exclude: Sequence[int] = (),
                     half_life_days: float = 30.0, include_superseded: bool = False,
                     now: float | None = None) -> list[Hit]: ...

    async def get(self, memory_id: int) -> MemoryItem | None: ...

    async def list_memories(self, *, kind: Kind | None = None, limit: int = 50, offset: int = 0,
                            newest_first: bool = True) -> list[MemoryItem]: ...

    async def recent_utterances(self, limit: int, *,
                                before_id: int | None = None) -> list[MemoryItem]: ...

    async def related(self, memory_id: int) -> dict[str, list[MemoryItem]]: ...

    async def find_utterance(self, text: str, created_at: float) -> int | None: ...

    async def edit(self, memory_id: int, text: str, *, status: str | None = None) -> MemoryItem | None: ...

    async def forget(self, memory_id: int) -> bool: ...

    async def compact(self) -> None: ...

    async def count(self) -> dict[str, int]: ...

    async def export(self) -> list[dict[str, Any]]: ...

    async def profile(self) -> dict[str, str]: ...

    async def set_profile(self, values: dict[str, str]) -> None: ...

    async def close(self) -> None: ...

    # session summaries (memory/summaries.py): rebuilt when stale, and on forget and edit

    async def summarize(self, session_id: int | None = None) -> int: ...

    async def summaries(self, limit: int = 50) -> list[Summary]: ...

    # moments (memory/moments.py): things shared with os1 or made by it, with their images

    async def add_moment(self, draft: MomentDraft) -> tuple[Moment, bool]: ...

    async def moment(self, memory_id: int) -> Moment | None: ...

    async def moments(self, kind: str | None = None, limit: int = 50, *,
                      key: str | None = None) -> list[Moment]: ...

    async def image(self, digest: str) -> tuple[str, bytes] | None: ...

    @property
    def files_dir(self) -> Path | None:
        """Where composed pieces' files live on this machine (None: nowhere known)."""
        ...
