"""The backend seam: what a database must do for the memory store, as primitives inside one
transaction. The store (``os1.memory.store``) holds the flow once; a backend holds the SQL of one
database: rows in and out, word search, vector search. ``sqlite`` and ``postgres`` implement it.

Every primitive is one step of the store's flow inside the transaction the store opened with
``Backend.transaction``; none of them commits on its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from os1.memory.base import Kind, MemoryItem, Provenance, Vectors
from os1.memory.moments import ImageDraft
from os1.memory.ranking import Context
from os1.memory.summaries import Summary

Flag = Literal["embedded", "pieced", "learned"]  # work still owed on a memory while unset
Scored = list[tuple[int, float]]  # (memory id, score), best first


@dataclass(frozen=True)
class NewMemory:
    """A memory row before it is stored, with the work it still waits for."""

    kind: Kind
    text: str
    created_at: float
    role: str | None = None
    session_id: int | None = None
    provenance: Provenance = "user"
    status: str = "complete"
    source_id: int | None = None
    subject: str | None = None
    predicate: str | None = None
    object: str | None = None
    content_hash: str | None = None
    private: bool = False
    embedded: bool = True
    learned: bool = True
    pieced: bool = True


@dataclass(frozen=True)
class Select:
    """Which memories to read, and in what order: every field given narrows the selection."""

    ids: Sequence[int] | None = None
    kind: Kind | None = None
    session_id: int | None = None
    source_id: int | None = None
    fact_key: tuple[str | None, str | None] | None = None  # (subject, predicate) of a fact
    fact_subject: str | None = None  # facts about this subject
    fact_value: tuple[str, str] | None = None  # facts with this (predicate, value), any case
    unlearned: bool = False
    before_id: int | None = None
    text: str | None = None
    near_time: float | None = None  # created within a millisecond of this
    order: Literal["id", "-id", "time"] = "id"
    limit: int | None = None
    offset: int = 0


class Rows(Protocol):
    """Rows in and out: memories, sessions, the profile, summaries."""

    async def new_session(self, started_at: float) -> int: ...

    async def insert(self, memory: NewMemory) -> int: ...

    async def select(self, query: Select) -> list[MemoryItem]: ...

    async def count_kinds(self) -> dict[str, int]: ...

    async def pending(self, flag: Flag, limit: int) -> list[tuple[int, str, str | None, bool]]:
        """Up to ``limit`` memories whose ``flag`` is unset, oldest first: (id, text, role,
        pieced)."""
        ...

    async def settle(self, flag: Flag, memory_id: int, text: str | None = None) -> bool:
        """Set ``flag`` on a memory where it is unset (and its text is still ``text``)."""
        ...

    async def rewrite(self, memory_id: int, text: str, content_hash: str, status: str | None,
                      pieced: bool) -> bool:
        """New words for a memory (a fact's structured object goes: the text rules); the next
        turn's gloss, drawn from the old words, goes too."""
        ...

    async def set_private(self, memory_ids: Sequence[int], private: bool) -> int:
        """Mark these memories private (or not); how many of them there were."""
        ...

    async def restate(self, memory_id: int, text: str, status: str,
                      provenance: Provenance | None, pieced: bool) -> None:
        """New words and status for an utterance still being said (a reply as it streams), its
        provenance if given; its vector is owed again."""
        ...

    async def delete(self, memory_id: int) -> tuple[bool, int | None]:
        """Delete a memory, its vectors, the facts drawn from it and the next turn's gloss (drawn
        from its words): (found, its session)."""
        ...

    async def fact(self, content_hash: str) -> tuple[int, float | None] | None:
        """The fact with these words: (id, valid_to)."""
        ...

    async def supersede(self, subject: str, predicate: str, now: float) -> None: ...

    async def revive(self, memory_id: int) -> None: ...

    async def close_fact(self, memory_id: int, now: float) -> None:
        """Close one current fact as of ``now`` ("I quit Tesco": that job, not every one)."""
        ...

    async def serialize(self, topic: str) -> None:
        """Hold the store's lock on ``topic`` until the transaction ends (other writers wait)."""
        ...

    async def profile(self) -> dict[str, str]: ...

    async def set_profile(self, values: Mapping[str, str], now: float) -> None: ...

    async def stale_sessions(self, session_id: int | None) -> list[int]:
        """Sessions (all, or this one) whose summary is missing or no longer matches them."""
        ...

    async def put_summary(self, summary: Summary) -> None: ...

    async def drop_summary(self, session_id: int) -> None: ...

    async def summaries(self, limit: int) -> list[Summary]: ...


class VectorRows(Protocol):
    """Vectors of memories (whole) and of their sentences (pieces), and search over them."""

    async def put_vector(self, memory_id: int, vector: Vectors) -> None: ...

    async def put_pieces(self, memory_id: int, vectors: Vectors) -> None: ...

    async def drop_pieces(self, memory_id: int) -> None: ...

    async def unembed(self, memory_ids: Sequence[int]) -> None:
        """Drop the vectors (whole and pieces) of memories read beside words that are gone, and
        mark them to be embedded again (``embed_missing`` reads them without those words)."""
        ...

    async def fill_vectors(self, rows: Sequence[tuple[int, str, Vectors, str]]) -> None:
        """Store each (id, text, vector, gloss) memory's vector and its gloss (words it is also
        found by: ``ranking.gloss``) and mark it embedded, unless it is embedded already, or its
        text is no longer ``text`` (edited or forgotten since)."""
        ...

    async def fill_pieces(self, rows: Sequence[tuple[int, str, Vectors]]) -> None:
        """Replace each (id, text, vectors) memory's piece vectors and mark it pieced, unless it
        is pieced already, or its text is no longer ``text``."""
        ...

    async def vectors(self, ids: Sequence[int]) -> dict[int, Vectors]:
        """The whole vectors of these memories that have one."""
        ...

    async def vector_count(self) -> int: ...

    async def nearest(self, vector: Vectors, k: int, piece_k: int) -> tuple[Scored, Scored]:
        """The ``k`` nearest whole vectors and the ``piece_k`` nearest piece vectors, each as
        (memory id, cosine similarity) best first."""
        ...

    async def similarities(self, ids: Sequence[int],
                           vector: Vectors) -> tuple[dict[int, float], dict[int, float]]:
        """Cosine similarity to ``vector`` of each memory's whole vector, and of its best piece."""
        ...

    async def mark_stale(self) -> int:
        """Mark memories whose vectors another model made for embedding again; their count."""
        ...


class WordRows(Protocol):
    """Word search, and where each turn sits in its conversation."""

    async def term_counts(self, terms: Sequence[str], cap: int) -> dict[str, int]:
        """How many memories match each word, counting up to ``cap``."""
        ...

    async def word_ranks(self, terms: Sequence[str], limit: int, recent: int | None) -> Scored:
        """Memories matching any of ``terms``, best first (higher is better); with ``recent``,
        only the newest ``recent`` matches are ranked."""
        ...

    async def neighbours(self, ids: Sequence[int]) -> Context: ...


class MomentRows(Protocol):
    """Moments, their images, and the data that names a composed piece's files."""

    async def moment_of_key(self, key: str) -> int | None: ...

    async def insert_moment(self, memory_id: int, kind: str, key: str, data: str) -> None: ...

    async def add_image(self, memory_id: int, image: ImageDraft, seen: str, now: float) -> None: ...

    async def moment_row(self, memory_id: int) -> tuple[str, str, str] | None:
        """(kind, key, data as JSON)."""
        ...

    async def moment_images(self, memory_id: int) -> list[tuple[str, str]]:
        """(hash, what was seen as JSON), in the order they were added."""
        ...

    async def moment_ids(self, kind: str | None, key: str | None, limit: int) -> list[int]: ...

    async def pieces_data(self, except_id: int) -> list[str]:
        """The data of every composed piece but this one."""
        ...

    async def image(self, digest: str) -> tuple[str, bytes] | None: ...


class Tx(Rows, VectorRows, WordRows, MomentRows, Protocol):
    """One transaction's primitives."""


class Backend(Protocol):
    """A database holding one user's memory."""

    model_id: str  # the embedder whose vectors count

    @property
    def files_dir(self) -> Path | None:
        """Where composed pieces' files live on this machine (None: nowhere known)."""
        ...

    def transaction(self, *, write: bool = False) -> AbstractAsyncContextManager[Tx]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        ...

    async def compact(self) -> None: ...

    async def close(self) -> None: ...
