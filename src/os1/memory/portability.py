"""Export and import in the open ``os1-memory`` format (docs/memory-format.md).

Import is the inverse of export: memories get new ids (sources are remapped), repeated facts and
utterances already present are skipped, the profile is merged, and vectors are recomputed.
Moments (posts, photos, songs, pieces) travel whole, with their images and a piece's files
(``os1.memory.moment_export``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from os1.errors import InputError
from os1.memory.base import FactDraft
from os1.memory.extract import is_exclusive
from os1.memory.moment_export import import_moment, moment_problem, moment_records
from os1.memory.roles import Archive

FORMAT = "os1-memory"
VERSION = 2  # 2: moments with their images and files; provenance "shared"
READABLE = (1, 2)


async def export_lines(store: Archive, user: str) -> list[dict[str, Any]]:
    """The header, then every memory, oldest first."""
    header = {"format": FORMAT, "version": VERSION, "user": user,
              "exported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "profile": await store.profile()}
    moments = await moment_records(store)
    items = [{**item, "moment": moments[item["id"]]} if item["id"] in moments else item
             for item in await store.export()]
    return [header, *items]


def read_export(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Read and parse an export file (see ``parse_export``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    return parse_export(text, str(path))


def parse_export(text: str, where: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Parse a JSONL or JSON export; any flaw is one InputError naming ``where`` and the line."""
    try:
        whole = json.loads(text)  # the one-document form
    except json.JSONDecodeError:
        whole = None
    except RecursionError:  # nested deeper than any export is
        raise InputError(f"{where} is not an os1 export: nested too deeply") from None
    if isinstance(whole, dict) and isinstance(whole.get("memories"), list):
        return _checked({k: v for k, v in whole.items() if k != "memories"}, whole["memories"], where)
    try:
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise InputError(f"{where} is not an os1 export: line {exc.lineno}: {exc.msg}") from None
    except RecursionError:
        raise InputError(f"{where} is not an os1 export: nested too deeply") from None
    if not rows:
        raise InputError(f"{where} is empty")
    return _checked(rows[0], rows[1:], where)


def _checked(header: Any, items: Iterable[Any],
             where: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise InputError(f"{where} is not an os1 export (no '{FORMAT}' header)")
    if header.get("version") not in READABLE:
        raise InputError(f"{where}: export version {header.get('version')} is not supported")
    out: list[dict[str, Any]] = []
    for n, item in enumerate(items, start=1):
        if not _well_formed(item):
            raise InputError(f"{where}: memory {n} is malformed (see docs/memory-format.md)")
        if "moment" in item and (problem := moment_problem(item["moment"])) is not None:
            raise InputError(f"{where}: memory {n}: {problem}")
        out.append(item)
    return header, out


_OPTIONAL_TYPES: dict[str, tuple[type, ...]] = {
    "created_at": (int, float), "source_id": (int,), "session_id": (int,), "valid_to": (int, float),
    "role": (str,), "status": (str,), "provenance": (str,), "subject": (str,), "predicate": (str,),
    "object": (str,), "private": (bool,),
}


def _well_formed(item: Any) -> bool:
    if not isinstance(item, dict) or item.get("kind") not in ("utterance", "fact"):
        return False
    if not isinstance(item.get("text"), str) or not item["text"].strip():
        return False
    if not isinstance(item.get("id"), int) or isinstance(item.get("id"), bool):
        return False
    if item.get("provenance") not in (None, "user", "assistant", "inferred", "external", "shared"):
        return False
    return all(item.get(key) is None or isinstance(item[key], types)
               for key, types in _OPTIONAL_TYPES.items())


async def import_export(store: Archive, header: dict[str, Any],
                        items: list[dict[str, Any]]) -> int:
    """Add an export's memories to ``store``; returns how many were new."""
    new_ids: dict[int, int] = {}
    private: list[int] = []  # the memories kept private, by their new ids
    added = 0
    for item in items:
        if item["kind"] == "utterance":
            created = float(item.get("created_at") or time.time())
            existing = await store.find_utterance(item["text"], created)
            if existing is None:
                saved = await store.add_utterance(None, str(item.get("role") or "user"), item["text"],
                                                  status=str(item.get("status") or "complete"),
                                                  created_at=created, defer_vector=True,
                                                  learn=False)  # its facts come with the export
                existing, added = saved.id, added + 1
            new_ids[item["id"]] = existing
            private += [existing] if item.get("private") else []
        elif "moment" in item:  # a post, photo, song or piece, with its images and files
            new_ids[item["id"]], new = await import_moment(store, item, new_ids)
            added += new
            private += [new_ids[item["id"]]] if item.get("private") else []
        else:
            draft = FactDraft(item["text"], str(item.get("subject") or "user"),
                              str(item.get("predicate") or "note"), str(item.get("object") or ""),
                              item.get("provenance") or "user")
            source = new_ids.get(item.get("source_id") or -1)
            facts = await store.add_facts([draft], source, exclusive=is_exclusive)
            added += len(facts)
            private += [f.id for f in facts] if item.get("private") else []
    if private:
        await store.keep_private(private)
    profile = header.get("profile")
    if isinstance(profile, dict):
        await store.set_profile({str(k): str(v) for k, v in profile.items()})
    await store.embed_missing()
    return added
