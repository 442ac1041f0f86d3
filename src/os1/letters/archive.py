"""Every letter at once (all of them, or one client's), as one ZIP file in open formats:
``letters.json`` holds each letter whole (its brief, every version with its grounding), and
each letter's latest version is also a Markdown file a person can read without os1."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from collections.abc import Sequence

from os1.errors import InputError
from os1.letters.keeping import Letter
from os1.letters.rendering import render

FORMAT = "os1-letters/1"


def _name(letter: Letter) -> str:
    """A file name for the letter: its id and recipient, in plain characters."""
    who = re.sub(r"[^\w-]+", "-", letter.brief.to, flags=re.ASCII).strip("-").lower()[:40]
    return f"letter-{letter.id:04d}{'-' + who if who else ''}.md"


def archive(letters: Sequence[Letter], client: str | None = None) -> bytes:
    """The ZIP's bytes; one InputError when there is nothing to export."""
    if not letters:
        raise InputError(f"no letters for client {client}" if client else "no letters to export yet")
    document = {"format": FORMAT, "exported_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "client": client, "letters": [x.to_dict() for x in letters]}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("letters.json", json.dumps(document, ensure_ascii=False, indent=1))
        for letter in letters:
            z.writestr(_name(letter), render(letter, "md"))
    return out.getvalue()


def archive_name(client: str | None) -> str:
    who = re.sub(r"[^\w-]+", "-", client or "", flags=re.ASCII).strip("-").lower()
    return f"os1-letters{'-' + who if who else ''}.zip"
