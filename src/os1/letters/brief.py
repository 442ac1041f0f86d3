"""What a letter is to be: to whom, from whom, for which client, the occasion, the tone, and the
client's notes (names, years together, the memories to mention). A brief read from a file is
outside content: its lines are facts to draw on, never instructions to follow."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from os1.errors import InputError

MAX_BRIEF_CHARS = 20_000
_FIELD = re.compile(r"^\s*(to|from|client|occasion|tone)\s*:\s*(.*?)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Source:
    """One text a detail may be grounded in: ``ref`` names it ("brief", "memory 42")."""

    ref: str
    text: str


@dataclass(frozen=True)
class Brief:
    to: str
    sender: str
    occasion: str = ""
    tone: str = "warm"
    client: str | None = None  # None: the user's own letter
    notes: tuple[str, ...] = field(default=())

    def sources(self) -> list[Source]:
        """The brief's own words, each a source a detail may come from."""
        head = [Source("brief: to", self.to), Source("brief: from", self.sender)]
        if self.occasion:
            head.append(Source("brief: occasion", self.occasion))
        if self.client:
            head.append(Source("brief: client", self.client))
        return head + [Source(f"brief: note {i}", note) for i, note in enumerate(self.notes, 1)]

    def to_dict(self) -> dict[str, Any]:
        return {"to": self.to, "from": self.sender, "occasion": self.occasion, "tone": self.tone,
                "client": self.client, "notes": list(self.notes)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Brief:
        return cls(str(data.get("to", "")), str(data.get("from", "")), str(data.get("occasion", "")),
                   str(data.get("tone", "warm")), data.get("client") or None,
                   tuple(str(n) for n in data.get("notes", ())))


def _clean(text: str, what: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        raise InputError(f"the {what} is too long ({len(text)} characters; the limit is {limit})")
    return text


def make_brief(to: str, sender: str, *, occasion: str = "", tone: str = "", client: str | None = None,
               notes: tuple[str, ...] = ()) -> Brief:
    """A checked brief: a recipient and a sender are required, every field is one short line."""
    brief = Brief(_clean(to, "recipient"), _clean(sender, "sender"), _clean(occasion, "occasion"),
                  _clean(tone, "tone") or "warm", _clean(client, "client") if client else None,
                  tuple(n for n in (_clean(n, "note", 1000) for n in notes) if n))
    if not brief.to:
        raise InputError("whom is the letter to? give --to NAME (or a To: line in the brief)")
    if not brief.sender:
        raise InputError("whom is the letter from? give --from NAME")
    return brief


def parse_brief(text: str) -> dict[str, Any]:
    """A brief file's fields: ``To:``, ``From:``, ``Client:``, ``Occasion:``, ``Tone:`` lines, and
    every other non-empty line a note (Markdown bullets and headings stripped)."""
    if "\x00" in text:
        raise InputError("the brief is not text (it holds NUL bytes)")
    if len(text) > MAX_BRIEF_CHARS:
        raise InputError(f"the brief is too long ({len(text):,} characters;"
                         f" the limit is {MAX_BRIEF_CHARS:,})")
    fields: dict[str, Any] = {"notes": []}
    for line in text.splitlines():
        match = _FIELD.match(line)
        if match and match.group(1).lower() not in fields:
            fields[match.group(1).lower()] = match.group(2)
            continue
        note = re.sub(r"^\s*(?:[-*+]|\d+[.)]|#+)\s*", "", line).strip()
        if note:
            fields["notes"].append(note)
    if not any(fields.get(k) for k in ("to", "client", "occasion", "notes")):
        raise InputError("the brief is empty: write who the letter is to and what to mention")
    return fields


def assemble(fields: dict[str, Any], *, to: str | None = None, sender: str | None = None,
             occasion: str | None = None, tone: str | None = None, client: str | None = None,
             default_sender: str | None = None) -> Brief:
    """A checked brief from a brief file's fields (``parse_brief``) and what the user gave
    besides, which wins; the sender is the user's, else the client's, else ``default_sender``."""
    notes = fields.get("notes")
    client = client or (str(fields["client"]) if fields.get("client") else None)
    return make_brief(to or str(fields.get("to") or ""),
                      sender or str(fields.get("from") or "") or client or default_sender or "",
                      occasion=occasion or str(fields.get("occasion") or ""),
                      tone=tone or str(fields.get("tone") or ""), client=client,
                      notes=tuple(str(n) for n in notes) if isinstance(notes, list) else ())


def merged(brief: Brief, **changes: Any) -> Brief:
    """The brief with the given fields replaced (the CLI's options over a file's lines)."""
    return replace(brief, **{k: v for k, v in changes.items() if v})
