"""The companion's calendar and contact tools. Events and cards can come from other people
(invitations, shared cards), so what they say is ``Outside`` content; every change needs a yes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from os1.config import CalendarSettings
from os1.dav.calendar import Calendar, when
from os1.dav.contacts import AddressBook, apply_merge, duplicates, find_group, make_vcard, merged, undo_merge
from os1.outside import Outside
from os1.tools.base import Policy, Tool, tool


def day_span(day: str) -> tuple[datetime, datetime]:
    today = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    word = day.strip().lower()
    start = {"today": today, "tomorrow": today + timedelta(days=1)}.get(word)
    if start is None:
        start = when(word + " 00:00" if len(word) == 10 else word).replace(hour=0, minute=0)
    return start, start + timedelta(days=1)


Closer = Callable[[], Awaitable[None]]


def dav_tools(settings: CalendarSettings, state_dir: Path) -> tuple[list[Tool], Closer]:
    calendar = Calendar(settings)
    book = AddressBook(settings)
    undo_file = state_dir / "contacts-undo.json"

    async def calendar_day(day: str = "tomorrow") -> Outside:
        """What is on the calendar on a day: "today", "tomorrow" or a date like 2030-05-01."""
        start, end = day_span(day)
        events = await calendar.events(start, end)
        return Outside(tuple((f"event {e.uid}", e.line()) for e in events),
                       note=f"{len(events)} events on {start:%A %d %B}")

    async def add_preview(args: dict[str, Any]) -> str:
        start = when(str(args["start"]))
        end = start + timedelta(minutes=int(args.get("minutes", 60)))
        where = f" at {args['location']}" if args.get("location") else ""
        return f"Add to the calendar: {args['title']}, {start:%a %d %b %Y %H:%M}–{end:%H:%M}{where}"

    async def calendar_add(title: str, start: str, minutes: int = 60, location: str = "") -> str:
        """Add an event (start like 2030-05-01 14:30). The user confirms first."""
        begin = when(start)
        event = await calendar.add(title, begin, begin + timedelta(minutes=minutes), location)
        return f"added: {event.line()}"

    async def move_preview(args: dict[str, Any]) -> str:
        old = await calendar.get(str(args["uid"]))
        new = when(str(args["start"]))
        return f"Move {old.summary} from {old.start:%a %d %b %H:%M} to {new:%a %d %b %Y %H:%M}"

    async def calendar_move(uid: str, start: str) -> str:
        """Move an event (by uid) to a new start, keeping its length. The user confirms first."""
        return f"moved: {(await calendar.move(uid, when(start))).line()}"

    async def contacts_duplicates() -> Outside:
        """Find contact cards that are the same person, to propose merging them."""
        groups = duplicates(await book.contacts())
        items = tuple((f"group {n + 1}: uids {','.join(c.uid for c in g)}",
                       " | ".join(c.line() for c in g)) for n, g in enumerate(groups))
        return Outside(items, note=f"{len(groups)} people have more than one card; merge with "
                                   "contacts_merge(uids=...)")

    async def merge_preview(args: dict[str, Any]) -> str:
        group = await find_group(book, str(args["uids"]).split(","))
        replaced = "\n".join(f"- {c.line()}" for c in group)
        result = merged(group)
        return f"Replace these cards:\n{replaced}\nwith one card:\n{result.strip()}\n(undo: contacts_undo)"

    async def contacts_merge(uids: str) -> str:
        """Merge several cards (comma-separated uids) into one. The user reviews it first."""
        return await apply_merge(book, uids.split(","), undo_file)

    async def contacts_undo() -> str:
        """Restore the cards of the last merge."""
        return await undo_merge(book, undo_file)

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
