"""Merging contact cards without losing a field, and a history of merges to undo in any order.

A merged card keeps every property of every card (addresses, labels, notes, organisations,
birthdays, custom fields): a value two cards share is kept once, with the labels (TYPE) of both.
A property a card may hold only once (RFC 6350: FN, N, BDAY, ANNIVERSARY, GENDER, KIND) is a
conflict when the cards disagree: every value is shown, one is kept by default and the user may
pick another. The original cards are kept in the history, so any merge can be undone later.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import vobject

from os1.dav.contacts import AddressBook, Contact, find_group, parse_vcard, phone_key
from os1.errors import ToolFailed, ToolInputError
from os1.files import private_dir, write_private

SINGLE = ("FN", "N", "BDAY", "ANNIVERSARY", "GENDER", "KIND")  # at most one per card
SKIPPED = {"UID", "VERSION", "PRODID", "REV"}  # the merged card's own (UID: the first card's)


@dataclass(frozen=True)
class Conflict:
    field: str
    values: tuple[str, ...]  # distinct values, in card order
    chosen: int  # index into values

    def line(self) -> str:
        options = "  ".join(f"{n}) {v}{' (kept)' if n - 1 == self.chosen else ''}"
                            for n, v in enumerate(self.values, 1))
        return f"{self.field}: {options}   (choose with --pick {self.field.lower()}=N)"


@dataclass(frozen=True)
class Merged:
    vcard: str
    conflicts: tuple[Conflict, ...]

    def preview(self, group: Sequence[Contact]) -> str:
        replaced = "\n".join(f"- {c.line()}" for c in group)
        text = f"Replace these cards:\n{replaced}\nwith one card:\n{self.vcard.strip()}"
        if self.conflicts:
            text += "\nConflicts (one value kept; the others stay in the merge history):\n"
            text += "\n".join(self.conflicts_lines())
        return text

    def conflicts_lines(self) -> list[str]:
        return [f"  {c.line()}" for c in self.conflicts]


def _show(line: Any) -> str:
    return " ".join(str(line.value).split()) if not isinstance(line.value, list) else ",".join(line.value)


def key(line: Any) -> tuple[str, str, str]:
    """What makes two properties the same value: addresses by case, phones by their digits."""
    name = line.name.upper()
    if name == "EMAIL":
        return name, "", str(line.value).strip().lower()
    if name == "TEL":
        return name, "", phone_key(str(line.value)) or str(line.value).strip()
    return name, (line.group or "").lower(), _show(line).casefold()


def _cards(group: Sequence[Contact]) -> list[Any]:
    return [vobject.readOne(c.raw) for c in group]


def _default(field: str, lines: list[Any], owners: list[int], fn_owner: int | None) -> int:
    """The fullest name; the structured name of the card whose name was kept; else the first."""
    if field == "FN":
        return max(range(len(lines)), key=lambda i: (len(_show(lines[i]).split()), len(_show(lines[i]))))
    if field == "N" and fn_owner in owners:
        return owners.index(fn_owner)
    return 0


def _singles(cards: list[Any], picks: Mapping[str, int], card: Any) -> list[Conflict]:
    conflicts = []
    fn_owner: int | None = None
    for field in SINGLE:
        found: dict[str, tuple[int, Any]] = {}
        for n, each in enumerate(cards):
            for line in each.contents.get(field.lower(), [])[:1]:
                found.setdefault(_show(line), (n, line))
        if not found:
            continue
        owners, lines = [o for o, _ in found.values()], [line for _, line in found.values()]
        chosen = (picks[field.lower()] - 1 if field.lower() in picks
                  else _default(field, lines, owners, fn_owner))
        if not 0 <= chosen < len(lines):
            raise ToolInputError(f"--pick {field.lower()}={chosen + 1}: there are {len(lines)} values")
        if field == "FN":
            fn_owner = owners[chosen]
        card.add(copy.deepcopy(lines[chosen]))
        if len(lines) > 1:
            conflicts.append(Conflict(field, tuple(found), chosen))
    return conflicts


def _union_types(kept: Any, other: Any) -> None:
    types = [t for t in kept.params.get("TYPE", []) + other.params.get("TYPE", [])]
    if types:
        kept.params["TYPE"] = list(dict.fromkeys(t.lower() for t in types))


def merge_cards(group: Sequence[Contact], picks: Mapping[str, int] | None = None) -> Merged:
    """One card holding every field of every card in ``group``; UID of the first card."""
    cards = _cards(group)
    result = vobject.vCard()
    result.add("uid").value = group[0].uid
    conflicts = _singles(cards, {k.lower(): v for k, v in (picks or {}).items()}, result)
    seen: dict[tuple[str, str, str], Any] = {}
    for n, card in enumerate(cards):
        for line in card.getChildren():
            if line.name.upper() in SKIPPED or line.name.upper() in SINGLE:
                continue
            line = copy.deepcopy(line)
            if line.group and n:  # Apple's item1.ADR + item1.X-ABLabel: groups stay per card
                line.group = f"c{n}{line.group}"
            found = seen.get(key(line))
            if found is not None:
                _union_types(found, line)
                continue
            seen[key(line)] = line
            result.add(line)
    return Merged(str(result.serialize()), tuple(conflicts))


def lost(group: Sequence[Contact], vcard: str) -> list[str]:
    """Properties of the cards that the merged card does not hold (a check: none but the
    conflicts' other values and the other cards' UIDs)."""
    have = {key(line)[::2] for line in vobject.readOne(vcard).getChildren()}
    return sorted({f"{line.name}:{_show(line)}" for card in _cards(group) for line in card.getChildren()
                   if line.name.upper() not in SKIPPED | set(SINGLE) and key(line)[::2] not in have})


def fingerprint(raw: str) -> frozenset[tuple[str, str, str]]:
    """A card's content, regardless of line order and folding (servers may re-serialise)."""
    return frozenset(key(line) for line in vobject.readOne(raw).getChildren()
                     if line.name.upper() not in {"VERSION", "PRODID", "REV"})


class MergeHistory:
    """Every merge, with the original cards, in one private JSON file; undone ones are kept
    marked, so the list tells what happened."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def entries(self) -> list[dict[str, Any]]:
        return list(json.loads(self.path.read_text())) if self.path.exists() else []

    def _save(self, entries: list[dict[str, Any]]) -> None:
        private_dir(self.path.parent)
        write_private(self.path, json.dumps(entries))  # whole vCards: private

    def record(self, href: str, vcard: str, originals: Sequence[Contact]) -> int:
        entries = self.entries()
        number = max((int(e["id"]) for e in entries), default=0) + 1
        entries.append({"id": number, "at": time.time(), "href": href, "merged": vcard,
                        "name": parse_vcard(vcard).name, "undone": False,
                        "originals": [{"href": c.href, "uid": c.uid, "raw": c.raw} for c in originals]})
        self._save(entries)
        return number

    def mark_undone(self, number: int) -> None:
        self._save([{**e, "undone": e["undone"] or e["id"] == number} for e in self.entries()])

    def open(self, number: int | None) -> dict[str, Any]:
        active = [e for e in self.entries() if not e["undone"]]
        if not active:
            raise ToolFailed("there is no merge to undo")
        if number is None:
            return active[-1]
        found = [e for e in active if e["id"] == number]
        if not found:
            raise ToolInputError(f"there is no merge {number} to undo (see `os1 contacts merges`)")
        return found[0]


async def apply_merge(book: AddressBook, uids: Sequence[str], history: MergeHistory,
                      picks: Mapping[str, int] | None = None) -> str:
    """Write the merged card over the first, delete the others; the originals go to the history."""
    group = await find_group(book, uids)
    result = merge_cards(group, picks)
    number = history.record(group[0].href, result.vcard, group)
    await book.put(result.vcard, group[0].href)
    for contact in group[1:]:
        await book.delete(contact.href)
    name = parse_vcard(result.vcard).name or group[0].uid
    return (f"merged {len(group)} cards into {name} (merge {number}; "
            f"`os1 contacts undo {number}` restores them)")


async def undo_merge(book: AddressBook, history: MergeHistory, number: int | None = None) -> str:
    """Restore the cards of one merge (the last by default), if its card is as the merge left it."""
    entry = history.open(number)
    now = {c.href: c for c in await book.contacts()}
    current = now.get(entry["href"])
    if current is not None and fingerprint(current.raw) != fingerprint(entry["merged"]):
        later = [e["id"] for e in history.entries() if not e["undone"] and e["id"] > entry["id"]
                 and any(o["href"] == entry["href"] for o in e["originals"])]
        hint = f"undo merge {later[0]} first" if later else "it was changed since; nothing restored"
        raise ToolFailed(f"the card of merge {entry['id']} is no longer as merged: {hint}")
    for card in entry["originals"]:
        await book.put(card["raw"], card["href"])
    history.mark_undone(int(entry["id"]))
    return f"restored {len(entry['originals'])} cards (merge {entry['id']})"
