"""What callers ask of the memory store, in roles of a few methods each: a caller names the
roles it uses, and ``Memory`` (``os1.memory.store.memory``) answers them all."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from os1.memory.base import FactDraft, Hit, Kind, MemoryItem, Provenance, Turn, Vectors
from os1.memory.moments import Moment, MomentDraft
from os1.memory.summaries import Summary


class Conversation(Protocol):
    """The conversation log: sessions and what is said in them."""

    async def start_session(self, at: float | None = None) -> int: ...

    async def add_turn(self, session_id: int | None, text: str, at: float | None = None) -> Turn:
        """Store the user's words with their vectors from one pass, for ``Recall.search``."""
        ...

    async def add_utterance(self, session_id: int | None, role: str, text: str, *,
                            status: str = "complete", vector: Vectors | None = None,
                            piece_vectors: Vectors | None = None, created_at: float | None = None,
                            defer_vector: bool = False, learn: bool = True,
                            provenance: Provenance | None = None) -> MemoryItem: ...

    async def restate(self, memory_id: int, text: str, *, status: str,
                      provenance: Provenance | None = None) -> None:
        """New words for a reply still being said, stored at once (its vectors owed again)."""
        ...

    async def recent_utterances(self, limit: int, *,
                                before_id: int | None = None) -> list[MemoryItem]: ...

    async def summaries(self, limit: int = 50) -> list[Summary]: ...


class Recall(Protocol):
    """Finding memories."""

    async def search(self, query: str, *, k: int = 8, vector: Vectors | None = None,
                     turn: Turn | None = None, kinds: Sequence[Kind] | None = None,
                     exclude: Sequence[int] = (), half_life_days: float = 30.0,
                     include_superseded: bool = False, now: float | None = None) -> list[Hit]: ...

    async def get(self, memory_id: int) -> MemoryItem | None: ...


class Learning(Protocol):
    """The background step after a turn: vectors owed, summaries, facts."""

    async def embed_missing(self, batch: int = 64, progress: Callable[[int], None] | None = None,
                            pieces_at_most: int | None = None) -> int: ...

    async def summarize(self, session_id: int | None = None) -> int: ...

    async def unlearned(self, limit: int = 50) -> list[MemoryItem]: ...

    async def mark_learned(self, memory_id: int) -> None: ...


class Facts(Protocol):
    """Facts about the user, stored once, superseded by newer values."""

    async def add_facts(self, drafts: Sequence[FactDraft], source_id: int | None,
                        exclusive: Callable[[str], bool] = ..., at: float | None = None,
                        ) -> list[MemoryItem]: ...


class Profile(Protocol):
    """The user's profile: names, preferences, the persona's settings."""

    async def profile(self) -> dict[str, str]: ...

    async def set_profile(self, values: dict[str, str]) -> None: ...


class Keepsakes(Protocol):
    """Moments (shared posts, photos, songs; composed pieces) and their images and files."""

    async def add_moment(self, draft: MomentDraft) -> tuple[Moment, bool]: ...

    async def moment(self, memory_id: int) -> Moment | None: ...

    async def moments(self, kind: str | None = None, limit: int = 50, *,
                      key: str | None = None) -> list[Moment]: ...

    async def image(self, digest: str) -> tuple[str, bytes] | None: ...

    @property
    def files_dir(self) -> Path | None:
        """Where composed pieces' files live on this machine (None: nowhere known)."""
        ...


class Curation(Protocol):
    """The user looking through their memory: listing, reading, correcting, forgetting."""

    async def get(self, memory_id: int) -> MemoryItem | None: ...

    async def list_memories(self, *, kind: Kind | None = None, limit: int = 50, offset: int = 0,
                            newest_first: bool = True) -> list[MemoryItem]: ...

    async def related(self, memory_id: int) -> dict[str, list[MemoryItem]]: ...

    async def count(self) -> dict[str, int]: ...

    async def edit(self, memory_id: int, text: str, *,
                   status: str | None = None) -> MemoryItem | None: ...

    async def forget(self, memory_id: int) -> bool: ...

    async def saying(self, memory_id: int, *, pool: int = 100) -> list[MemoryItem]: ...

    async def forget_all(self, memory_ids: Sequence[int]) -> int: ...

    async def compact(self) -> None: ...

    async def keep_private(self, memory_ids: Sequence[int], private: bool = True) -> list[MemoryItem]:
        """Mark memories private, each with its saying (``store.privacy``); or shared again."""
        ...


class Archive(Profile, Keepsakes, Facts, Protocol):
    """Export and import (``os1.memory.portability``)."""

    async def keep_private(self, memory_ids: Sequence[int], private: bool = True) -> list[MemoryItem]: ...

    async def export(self) -> list[dict[str, Any]]: ...

    async def find_utterance(self, text: str, created_at: float) -> int | None: ...

    async def add_utterance(self, session_id: int | None, role: str, text: str, *,
                            status: str = "complete", vector: Vectors | None = None,
                            piece_vectors: Vectors | None = None, created_at: float | None = None,
                            defer_vector: bool = False, learn: bool = True,
                            provenance: Provenance | None = None) -> MemoryItem: ...

    async def embed_missing(self, batch: int = 64, progress: Callable[[int], None] | None = None,
                            pieces_at_most: int | None = None) -> int: ...




class History(Conversation, Learning, Facts, Protocol):
    """Past conversations brought in with their dates (``os1.memory.history``)."""

    async def find_utterance(self, text: str, created_at: float) -> int | None: ...


class Notebook(Recall, Facts, Protocol):
    """The model's own memory tools: recall and remember."""


class Composing(Keepsakes, Recall, Protocol):
    """Making a piece about a moment: finding the moment, keeping the piece."""


class CompanionMemory(Conversation, Learning, Notebook, Profile, Composing, Curation, Protocol):
    """A companion's store: what its turn and background step use, and what the front-ends
    that drive it (slash commands, the voice loop) reach through it."""
