"""The export, written and then read back and checked against the store before anything may be
erased: every memory present with its words, every picture's bytes matching its hash, the
archive and hand-over complete. A manifest records each file's SHA-256."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from os1.errors import Os1Error
from os1.files import write_private
from os1.goodbye.keepsakes import Keepsakes
from os1.memory.portability import read_export

EXPORT = "memory.jsonl"  # the open os1-memory format (docs/memory-format.md)
HANDOVER_FILES = ("README.md", "profile.json", "facts.jsonl", "moments.jsonl", "journal.md", "persona.md")


def write_export(lines: list[dict[str, Any]], folder: Path) -> Path:
    path = folder / EXPORT
    write_private(path, "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
    return path


def problems(k: Keepsakes, folder: Path) -> list[str]:
    """What is wrong with the goodbye folder (nothing: it can be trusted with everything)."""
    found = _export_problems(k, folder / EXPORT)
    index = folder / "archive" / "index.html"
    if not index.is_file():
        found.append("the archive's index.html is missing")
    else:
        for src in re.findall(r"src='([^']+)'", index.read_text(encoding="utf-8")):
            if not (index.parent / src).is_file():
                found.append(f"the archive names a missing picture: {src}")
    found += [f"the hand-over lacks {name}" for name in HANDOVER_FILES
              if not (folder / "memory-folder" / name).is_file()]
    return found


def _export_problems(k: Keepsakes, path: Path) -> list[str]:
    try:
        _, items = read_export(path)  # the same checks an import makes
    except Os1Error as exc:
        return [f"the export cannot be read back: {exc}"]
    kept = {item["id"]: item for item in items}
    found = [f"memory {m.id} is missing or changed in the export" for m in k.memories
             if kept.get(m.id, {}).get("text") != m.text]
    for item in items:
        for image in (item.get("moment") or {}).get("images", []):
            try:
                data = base64.b64decode(image["data"], validate=True)
            except (binascii.Error, KeyError, TypeError):
                found.append(f"a picture of memory {item['id']} is not valid base64")
                continue
            if hashlib.sha256(data).hexdigest() != image.get("hash"):
                found.append(f"a picture of memory {item['id']} does not match its hash")
    return found


def manifest(folder: Path) -> dict[str, str]:
    """Each file of the goodbye folder and its SHA-256, written as ``manifest.json``."""
    files = {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "manifest.json"}
    write_private(folder / "manifest.json", json.dumps(files, indent=1) + "\n")
    return files
