"""Everything one person has with os1, read once for the goodbye: memories, moments with their
images and files, conversations, journal, persona versions, letters."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Protocol

from os1.inner.growth import Growth, PersonaMemory, Version
from os1.letters.keeping import Letter, LetterStore
from os1.memory.base import MemoryItem
from os1.memory.moments import Moment
from os1.memory.roles import Archive


class GoodbyeMemory(Archive, PersonaMemory, Protocol):
    """What the goodbye reads of the store."""


@dataclass
class Keepsakes:
    user: str
    profile: dict[str, str]
    memories: list[MemoryItem]
    moments: dict[int, Moment]
    versions: list[Version]
    letters: list[Letter] = field(default_factory=list)
    images: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # hash -> (mime, bytes)

    @property
    def os_name(self) -> str:
        return self.profile.get("os_name") or "Samantha"

    @property
    def user_name(self) -> str:
        return self.profile.get("user_name") or "you"

    def conversations(self) -> dict[int, list[MemoryItem]]:
        """Each conversation's turns, oldest first; turns outside any session under 0."""
        found: dict[int, list[MemoryItem]] = defaultdict(list)
        for item in self.memories:
            if item.kind == "utterance":
                found[item.session_id or 0].append(item)
        return dict(found)

    def facts(self) -> list[MemoryItem]:
        return [m for m in self.memories if m.kind == "fact" and m.id not in self.moments
                and m.valid_to is None]

    def of_kind(self, kind: str) -> list[Moment]:
        return [m for m in self.moments.values() if m.kind == kind]

    def counts(self) -> dict[str, Any]:
        return {"memories": len(self.memories), "moments": len(self.moments),
                "conversations": len(self.conversations()), "letters": len(self.letters),
                "images": len(self.images), "persona_versions": len(self.versions)}


async def gather(store: GoodbyeMemory, user: str, letters: LetterStore | None) -> Keepsakes:
    memories = await store.list_memories(limit=-1, newest_first=False)
    moments = {m.id: m for m in await store.moments(limit=100_000)}
    images: dict[str, tuple[str, bytes]] = {}
    for moment in moments.values():
        for digest in moment.images:
            if digest not in images and (found := await store.image(digest)) is not None:
                images[digest] = found
    return Keepsakes(user, await store.profile(), memories, moments, await Growth(store).versions(),
                     await letters.find() if letters is not None else [], images)
