"""The companion's calendar and contact tools. Events and cards can come from other people
(invitations, shared cards), so what they say is ``Outside`` content; every change needs a yes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from os1.config import CalendarSettings
from os1.dav.calendar import Calendar, in_zone, plural, when
from os1.dav.contacts import AddressBook, duplicates, find_group, make_vcard
from os1.dav.merge import MergeHistory, apply_merge, merge_cards, undo_merge
from os1.errors import ToolInputError
from os1.outside import Outside
from os1.tools.base import Policy, Tool, tool


def day_span(day: str, zone: tzinfo | None = None) -> tuple[datetime, datetime]:
    """Midnight to midnight of "today", "tomorrow" or a date, where the user lives."""
    today = in_zone(datetime.now(), zone).replace(hour=0, minute=0, second=0, microsecond=0)
    word = day.strip().lower()
    start = {"today": today, "tomorrow": today + timedelta(days=1)}.get(word)
    if start is None:
        start = when(word + " 00:00" if len(word) == 10 else word, zone).replace(hour=0, minute=0)
    return start, start + timedelta(days=1)


Closer = Callable[[], Awaitable[None]]


def merge_history_path(state_dir: Path) -> Path:
    return state_dir / "contacts-merges.json"


def parse_picks(text: str) -> dict[str, int]:
    """``"bday=2,fn=1"`` (or the same as separate words) as {field: card value number}."""
    picks = {}
    for item in text.replace(",", " ").split():
        field, _, number = item.partition("=")
        if not number.strip().isdigit():
            raise ToolInputError(f"a pick is FIELD=N, e.g. bday=2 (not {item!r})")
        picks[field.strip().lower()] = int(number)
    return picks


def dav_tools(settings: CalendarSettings, state_dir: Path,
              zone: Callable[[], Awaitable[tzinfo | None]] | None = None) -> tuple[list[Tool], Closer]:
    """The tools for one user; ``zone`` tells their time zone (read when a tool runs, as the
    profile may change), None for the machine's own."""
    calendar = Calendar(settings)

    async def zoned() -> Calendar:
        calendar.zone = await zone() if zone else None
        return calendar
    book = AddressBook(settings)
    history = MergeHistory(merge_history_path(state_dir))

    async def calendar_day(day: str = "tomorrow") -> Outside:
        """What is on the calendar on a day: "today", "tomorrow" or a date like 2030-05-01."""
        cal = await zoned()
        start, end = day_span(day, cal.zone)
        events = await cal.events(start, end)
        return Outside(tuple((f"event {e.short}", e.line()) for e in events),
                       note=f"{plural(len(events), 'event')} on {start:%A %d %B}")

    async def add_preview(args: dict[str, Any]) -> str:
        start = when(str(args["start"]), (await zoned()).zone)
        end = start + timedelta(minutes=int(args.get("minutes", 60)))
        where = f" at {args['location']}" if args.get("location") else ""
        return f"Add to the calendar: {args['title']}, {start:%a %d %b %Y %H:%M}–{end:%H:%M}{where}"

    async def calendar_add(title: str, start: str, minutes: int = 60, location: str = "") -> str:
        """Add an event (start like 2030-05-01 14:30). The user confirms first."""
        begin = when(start, (await zoned()).zone)
        event = await calendar.add(title, begin, begin + timedelta(minutes=minutes), location)
        return f"added: {event.line()}"

    async def move_preview(args: dict[str, Any]) -> str:
        old = await (await zoned()).find(str(args["event"]))
        new = when(str(args["start"]), calendar.zone)
        return f"Move {old.summary} from {old.start:%a %d %b %H:%M} to {new:%a %d %b %Y %H:%M}"

    async def calendar_move(event: str, start: str) -> str:
        """Move an event (by its id, or its title) to a new start, keeping its length. The user
        confirms first."""
        cal = await zoned()
        old = await cal.find(event)
        return f"moved: {(await cal.move(old.uid, when(start, cal.zone))).line()}"

    async def contacts_duplicates() -> Outside:
        """Find contact cards that are the same person, to propose merging them."""
        groups = duplicates(await book.contacts())
        items = tuple((f"group {n + 1}: uids {','.join(c.uid for c in g)}",
                       " | ".join(c.line() for c in g)) for n, g in enumerate(groups))
        return Outside(items, note=f"{len(groups)} people have more than one card; merge with "
                                   "contacts_merge(uids=...)")

    async def merge_preview(args: dict[str, Any]) -> str:
        group = await find_group(book, str(args["uids"]).split(","))
        result = merge_cards(group, parse_picks(str(args.get("picks", ""))))
        return f"{result.preview(group)}\n(undo: contacts_undo)"

    async def contacts_merge(uids: str, picks: str = "") -> str:
        """Merge several cards (comma-separated uids) into one, keeping every field. Where the
        cards disagree on a one-value field, picks like "bday=2,fn=1" choose whose value is kept.
        The user reviews it first."""
        return await apply_merge(book, uids.split(","), history, parse_picks(picks))

    async def contacts_undo(merge: int = 0) -> str:
        """Restore the cards of a merge (by its number; 0: the last one)."""
        return await undo_merge(book, history, merge or None)

    async def contacts_add(name: str, email: str, phone: str = "") -> str:
        """Add a contact card. The user confirms first."""
        await book.put(make_vcard(name, [email], [phone] if phone else []))
        return f"added {name} <{email}>"

    async def close() -> None:
        await book.close()

    return [
        tool(calendar_day),
        tool(calendar_add, policy=Policy.CONFIRM, preview=add_preview),
        tool(calendar_move, policy=Policy.CONFIRM, preview=move_preview),
        tool(contacts_duplicates),
        tool(contacts_merge, policy=Policy.CONFIRM, preview=merge_preview),
        tool(contacts_undo, policy=Policy.GUARDED),
        tool(contacts_add, policy=Policy.CONFIRM, sensitive=("email", "phone"),
             preview=lambda a: _add_contact_preview(a)),
    ], close


async def _add_contact_preview(args: dict[str, Any]) -> str:
    phone = f", phone {args['phone']}" if args.get("phone") else ""
    return f"Add contact: {args['name']} <{args['email']}>{phone}"
