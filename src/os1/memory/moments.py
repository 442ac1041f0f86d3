"""Moments: things the user shared with os1 (a post, a photograph, a song) and things os1 made
for them (a piece of music), each stored as one memory with what was perceived and said.

A moment is a memory row of kind ``fact`` (so it is recalled like any distilled memory, and
forgotten like one) whose text says plainly where it came from, plus a ``moments`` row with its
kind, its identity key and its data, plus the images it holds. Images are stored once per content
hash; the last moment to let go of an image deletes it (a database trigger), so forgetting the
memory forgets the image. Two shares with the same key (the same film, the same song) are one
moment: the second adds its images to the first.

A composed piece also keeps files beside the store, in the user's ``music`` folder (its MIDI and
audio, named in its data). Forgetting the piece deletes them; a path outside that folder (say,
from a hand-edited export) is never touched.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from os1.memory.base import MemoryItem, Provenance

MOMENT_KINDS = ("post", "photo", "song", "piece", "game", "journal")
MUSIC_FOLDER = "music"  # beside the user's store: composed pieces' files
FILE_FIELDS = ("midi", "wav", "ogg")  # the data fields that name a moment's files
log = logging.getLogger(__name__)


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
    created_at: float | None = None  # default now; an import keeps the original time


@dataclass(frozen=True)
class Moment:
    """A stored moment: its memory, kind, key, data, the hashes of its images and what os1
    saw in each (``seen``, in the same order)."""

    item: MemoryItem
    kind: str
    key: str
    data: dict[str, Any]
    images: tuple[str, ...] = ()
    seen: tuple[dict[str, Any], ...] = ()

    @property
    def id(self) -> int:
        return self.item.id


def dump(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def load(text: str) -> dict[str, Any]:
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


def music_dir(user_dir: Path) -> Path:
    """Where a user's composed pieces are written (``user_dir`` holds their memory)."""
    return user_dir / MUSIC_FOLDER


def named_files(data: dict[str, Any], folder: Path | None) -> dict[str, Path]:
    """The files a moment's data names (by field) that lie inside ``folder``; none without one."""
    if folder is None:
        return {}
    root = folder.resolve()
    found: dict[str, Path] = {}
    for name in FILE_FIELDS:
        value = data.get(name)
        if isinstance(value, str) and value:
            path = Path(value).resolve()
            if path.parent == root:  # only files os1 wrote there itself, never elsewhere
                found[name] = path
    return found


def files_of(data: dict[str, Any], folder: Path | None) -> set[Path]:
    return set(named_files(data, folder).values())


def doomed_files(doomed: dict[str, Any], others: Iterable[dict[str, Any]],
                 folder: Path | None) -> set[Path]:
    """The files to delete with a forgotten moment: its own, unless another moment names them."""
    mine = files_of(doomed, folder)
    for data in others:
        mine -= files_of(data, folder)
    return mine


def remove_files(paths: Iterable[Path]) -> None:
    """Delete files after the forgetting transaction committed; one already gone is fine."""
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:  # the memory is gone either way; say what could not be removed
            log.warning("could not delete %s: %s", path, exc.strerror)
