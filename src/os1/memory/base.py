"""Memory value types and the embedder seam."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
Kind = Literal["utterance", "fact"]
Provenance = Literal["user", "assistant", "inferred", "external"]


class Embedder(Protocol):
    """Texts in, L2-normalised float32 vectors out (one row per text)."""

    model_id: str
    dim: int

    def embed(self, texts: list[str]) -> Vectors:
        """Synchronous and CPU-bound: callers run it off the event loop."""
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
