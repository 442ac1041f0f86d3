"""Moments: things the user shared with os1 (a post, a photograph, a song) and things os1 made
for them (a piece of music), each stored as one memory with what was perceived and said.

A moment is a memory row of kind ``fact`` (so it is recalled like any distilled memory, and
forgotten like one) whose text says plainly where it came from, plus a ``moments`` row with its
kind, its identity key and its data, plus the images it holds. Images are stored once per content
hash; the last moment to let go of an image deletes it (a database trigger), so forgetting the
memory forgets the image. Two shares with the same key (the same film, the same song) are one
moment: the second adds its images to the first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from os1.memory.base import MemoryItem, Provenance

MOMENT_KINDS = ("post", "photo", "song", "piece")


@dataclass(frozen=True)
class ImageDraft:
    """An image to keep with a moment: its bytes and what os1 saw in it."""

    hash: str
    mime: str
    data: bytes
    seen: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MomentDraft:
    """A moment before it is stored."""

    kind: str
    key: str  # same key, same moment
    text: str  # the memory's words: what was shared or made, and where it came from
    data: dict[str, Any]
    images: tuple[ImageDraft, ...] = ()
    provenance: Provenance = "shared"


@dataclass(frozen=True)
class Moment:
    """A stored moment: its memory, kind, key, data and the hashes of its images."""

    item: MemoryItem
    kind: str
    key: str
    data: dict[str, Any]
    images: tuple[str, ...] = ()

    @property
    def id(self) -> int:
        return self.item.id


def dump(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def load(text: str) -> dict[str, Any]:
    value = json.loads(text)
    return value if isinstance(value, dict) else {}
