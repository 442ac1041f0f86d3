"""Moments in the open export format (docs/memory-format.md): the memory line of a moment
carries a ``moment`` object with its kind, key and data, its images (bytes in base64, named by
their SHA-256, with what os1 saw in each) and, for a composed piece, its MIDI and audio files.

``moment_problem`` checks a record completely (shape, base64, every image against its hash,
file names) while the export is read, so a flawed file is refused before anything is stored.
``import_moment`` then writes the piece's files into the user's music folder, points the data at
them, and stores the moment with its images in one transaction."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import re
from pathlib import Path
from typing import Any

from os1.files import private_dir, write_private
from os1.memory.moments import (
    FILE_FIELDS,
    MOMENT_KINDS,
    ImageDraft,
    Moment,
    MomentDraft,
    files_of,
    named_files,
    remove_files,
)
from os1.memory.roles import Archive

MAX_MOMENTS = 1_000_000
MAX_IMAGE_BYTES = 20 * 1024 * 1024  # as when the image was first shared
MAX_FILE_BYTES = 100 * 1024 * 1024
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/tiff")
FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,150}\.(mid|wav|ogg)")


async def moment_records(store: Archive) -> dict[int, dict[str, Any]]:
    """Every moment's export record, by the id of its memory."""
    return {m.id: await _record(store, m) for m in await store.moments(limit=MAX_MOMENTS)}


async def _record(store: Archive, moment: Moment) -> dict[str, Any]:
    images: list[dict[str, Any]] = []
    seen = list(moment.seen) + [{}] * (len(moment.images) - len(moment.seen))
    for digest, what in zip(moment.images, seen, strict=True):
        if (found := await store.image(digest)) is not None:
            images.append({"hash": digest, "mime": found[0], "seen": what, "data": _b64(found[1])})
    # a piece's files are named by their file name alone: no path of this machine leaves it
    data = {k: Path(v).name if k in FILE_FIELDS and isinstance(v, str) else v for k, v in moment.data.items()}
    record: dict[str, Any] = {"kind": moment.kind, "key": moment.key, "data": data, "images": images}
    files = await asyncio.to_thread(_read_files, moment.data, store.files_dir)
    if files:
        record["files"] = files
    return record


def _read_files(data: dict[str, Any], folder: Path | None) -> dict[str, dict[str, str]]:
    """A piece's files (those inside the music folder that exist), named and in base64."""
    return {name: {"name": path.name, "data": _b64(path.read_bytes())}
            for name, path in named_files(data, folder).items() if path.is_file()}


def moment_problem(record: Any) -> str | None:
    """What is wrong with a ``moment`` record, or None when it can be imported as it is."""
    if not isinstance(record, dict) or record.get("kind") not in MOMENT_KINDS:
        return "its moment has no known kind"
    if not isinstance(record.get("key"), str) or not isinstance(record.get("data"), dict):
        return "its moment needs a key and data"
    images = record.get("images", [])
    if not isinstance(images, list):
        return "its moment's images are not a list"
    for image in images:
        if (problem := _image_problem(image)) is not None:
            return problem
    files = record.get("files", {})
    if not isinstance(files, dict):
        return "its moment's files are not an object"
    for field, file in files.items():
        if field not in FILE_FIELDS or not isinstance(file, dict):
            return f"its moment names an unknown file {str(field)[:20]!r}"
        if not FILE_NAME.fullmatch(str(file.get("name"))):
            return "its moment's file name is not a plain .mid, .wav or .ogg name"
        if _decoded(file.get("data"), MAX_FILE_BYTES) is None:
            return f"its moment's {field} file is not valid base64 (or is too large)"
    return None


def _image_problem(image: Any) -> str | None:
    if not isinstance(image, dict) or image.get("mime") not in IMAGE_TYPES:
        return "an image has no known image type"
    if not isinstance(image.get("seen", {}), dict):
        return "an image's 'seen' is not an object"
    data = _decoded(image.get("data"), MAX_IMAGE_BYTES)
    if data is None:
        return "an image is not valid base64 (or is too large)"
    if hashlib.sha256(data).hexdigest() != image.get("hash"):
        return "an image does not match its SHA-256 hash"
    return None


async def import_moment(store: Archive, item: dict[str, Any],
                        new_ids: dict[int, int]) -> tuple[int, bool]:
    """Store the moment of an export line (checked by ``moment_problem``): its id here, and
    whether it is new. ``new_ids`` maps the export's ids to this store's (a piece's ``about``)."""
    record = item["moment"]
    data = {k: v for k, v in record["data"].items() if k not in FILE_FIELDS}  # no path from elsewhere
    if isinstance(data.get("about"), int):
        data["about"] = new_ids.get(data["about"])
    written = await asyncio.to_thread(_write_files, record.get("files", {}), store.files_dir)
    data.update({field: str(path) for field, path in written.items()})
    images = tuple(ImageDraft(i["hash"], i["mime"], _decoded(i["data"], MAX_IMAGE_BYTES) or b"",
                              i.get("seen") or {}) for i in record.get("images", []))
    draft = MomentDraft(record["kind"], record["key"], item["text"], data, images,
                        item.get("provenance") or "shared", item.get("created_at"))
    try:
        moment, new = await store.add_moment(draft)
    except BaseException:
        remove_files(written.values())
        raise
    if not new:  # the store already had this moment: keep only files it names
        remove_files(set(written.values()) - files_of(moment.data, store.files_dir))
    return moment.id, new


def _write_files(files: dict[str, Any], folder: Path | None) -> dict[str, Path]:
    """A piece's files, written into the music folder (skipped where the store keeps none)."""
    if folder is None or not files:
        return {}
    private_dir(folder)
    written: dict[str, Path] = {}
    for field, file in files.items():
        path = folder / Path(str(file["name"])).name
        write_private(path, _decoded(file["data"], MAX_FILE_BYTES) or b"")  # 0600: the user's own
        written[field] = path
    return written


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _decoded(text: Any, limit: int) -> bytes | None:
    if not isinstance(text, str) or len(text) > limit * 4 // 3 + 4:
        return None
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
