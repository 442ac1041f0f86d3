"""Memory value types and the embedder seam; the store's roles are in ``os1.memory.roles``."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
Kind = Literal["utterance", "fact"]
Provenance = Literal["user", "assistant", "inferred", "external", "shared"]  # shared: by the user


@dataclass(frozen=True)
class Pieces:
    """Where a text's sentences lie, to embed each inside the whole text: character ``(start,
    end)`` spans, and ``lead``, the length of a leading speaker's name that each sentence also
    takes in (0 for none). With ``context``, the text's first ``context`` characters are the
    turns said before it: the model reads them, but no vector pools them, and the spans and the
    lead count from where the memory's own words begin. With ``end``, the memory's own words end
    there and the turns said after it follow (a window of turns read in one pass); 0: the text's
    end. Texts given twice in one call are read once."""

    spans: tuple[tuple[int, int], ...] = ()
    lead: int = 0
    context: int = 0
    end: int = 0


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
    private: bool = False  # the user's alone: never proposed, journaled or told to another agent

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
    since: float = 0.0  # seconds before the words were said that it became true ("last month")
    ends: tuple[str, ...] = ()  # subjects whose current facts end with it ("we broke up")
    closes: bool = False  # it ends a value rather than states one ("I quit Tesco"): nothing stored;
    # an empty predicate or object matches any ("I quit Tesco" ends whatever of the user is Tesco)


@dataclass(frozen=True)
class Turn:
    """Words the user just said, stored, with the vectors one pass of the model made for them:
    ``search(turn=...)`` recalls with them, so the caller never handles the arrays itself."""

    item: MemoryItem
    vector: Vectors
    pieces: Vectors | None = None  # its sentences' vectors (None: left to the background step)
