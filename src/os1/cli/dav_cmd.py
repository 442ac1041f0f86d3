"""``os1 calendar``, ``os1 contacts`` and ``os1 actions``: the calendar and address book over
CalDAV/CardDAV, and the log of everything os1 did or held for a yes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

import click
from rich.markup import escape
from rich.text import Text

from os1.cli.io import console
from os1.cli.state import CliState
from os1.dav.calendar import Calendar, when
from os1.dav.contacts import AddressBook, apply_merge, duplicates, find_group, merged, parse_vcard, undo_merge
from os1.dav.reminders import due
from os1.dav.tools import day_span
from os1.errors import InputError
from os1.runtime import open_guard

T = TypeVar("T")


def _run(work: Awaitable[T]) -> T:
    return asyncio.run(work)  # type: ignore[arg-type]


def _ask(text: str, question: str, yes: bool) -> bool:
    console.print(Text(text))
    return yes or click.confirm(question, default=False)


async def _logged(state: CliState, tool: str, arguments: dict[str, object],
                  act: Callable[[], Awaitable[str]]) -> str:
    """Do what the user commanded, logged in ``os1 actions`` (done or failed)."""
    return await open_guard(state.settings).run_commanded(tool, arguments, act, outbound=False)


@click.group()
def calendar() -> None:
    """Your calendar over CalDAV: the day, add or move events (asks first), .ics import."""


@calendar.command()
@click.argument("day", default="tomorrow")
@click.pass_obj
def day(state: CliState, day: str) -> None:
    """What is on DAY: today, tomorrow (default) or 2030-05-01."""
    start, end = day_span(day)
    events = _run(Calendar(state.settings.calendar).events(start, end))
    console.print(f"{start:%A %d %B}: {len(events)} events")
    for event in events:
        console.print(Text(f"  {event.line()}"))


@calendar.command()
@click.argument("title")
@click.argument("start")
@click.option("--minutes", default=60, show_default=True)
@click.option("--location", default="")
@click.option("--yes", is_flag=True)
@click.pass_obj
def add(state: CliState, title: str, start: str, minutes: int, location: str, yes: bool) -> None:
    """Add TITLE at START (e.g. "2030-05-01 14:30")."""
    begin = when(start)
    end = begin + timedelta(minutes=minutes)
    if _ask(f"Add {title}, {begin:%a %d %b %Y %H:%M}–{end:%H:%M} {location}".rstrip(), "Add it?", yes):
        cal = Calendar(state.settings.calendar)

        async def add_event() -> str:
            return f"added: {(await cal.add(title, begin, end, location)).line()}"

        console.print(Text(_run(_logged(state, "calendar_add", {"title": title, "start": begin.isoformat(),
                                                                 "minutes": minutes, "location": location},
                                        add_event))))


@calendar.command()
@click.argument("uid")
@click.argument("start")
@click.option("--yes", is_flag=True)
@click.pass_obj
def move(state: CliState, uid: str, start: str, yes: bool) -> None:
    """Move event UID to START, keeping its length."""
    cal = Calendar(state.settings.calendar)

    async def move_if_agreed() -> None:
        old = await cal.get(uid)
        new = when(start)
        if _ask(f"Move {old.summary} from {old.start:%a %d %b %H:%M} to {new:%a %d %b %Y %H:%M}",
                "Move it?", yes):
            async def move_event() -> str:
                return f"moved: {(await cal.move(uid, new)).line()}"

            console.print(Text(await _logged(state, "calendar_move",
                                             {"uid": uid, "start": new.isoformat()}, move_event)))

    _run(move_if_agreed())


@calendar.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Import without asking (after reading the list).")
@click.pass_obj
def import_(state: CliState, file: Path, yes: bool) -> None:
    """Show what the events of an .ics file would add or change; import them on yes."""
    cal = Calendar(state.settings.calendar)
    data = file.read_bytes()

    async def import_if_agreed() -> None:
        plan = await cal.import_plan(data)
        if not plan:
            raise InputError(f"{file} holds no event")
        if not _ask("\n".join(plan), f"Import {_count(len(plan), 'event')}?", yes):
            console.print("Nothing imported.")
            return

        async def save() -> str:
            return f"imported {_count(await cal.import_ics(data), 'event')}"

        console.print(await _logged(state, "calendar_import", {"file": str(file), "events": plan},
                                    save))

    _run(import_if_agreed())


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"


@calendar.command()
@click.pass_obj
def remind(state: CliState) -> None:
    """Print reminders due now (outside quiet hours), e.g. from cron."""
    settings = state.settings.calendar
    now = datetime.now().astimezone()
    lead = timedelta(minutes=settings.reminder_minutes)
    events = _run(Calendar(settings).events(now, now + lead))
    for text in due(events, now, lead, settings.quiet_hours, set()):
        console.print(Text(text))


@click.group()
def contacts() -> None:
    """Your address book over CardDAV: list, find duplicate people, merge with review and undo."""


@contacts.command("list")
@click.pass_obj
def list_(state: CliState) -> None:
    """Every card."""
    async def print_cards() -> None:
        book = AddressBook(state.settings.calendar)
        try:
            for card in await book.contacts():
                console.print(Text(f"{card.uid[:36]:<36} {card.line()}"))
        finally:
            await book.close()

    _run(print_cards())


@contacts.command("duplicates")
@click.pass_obj
def duplicates_(state: CliState) -> None:
    """People with more than one card, and the uids to pass to `merge`."""
    async def print_duplicates() -> None:
        book = AddressBook(state.settings.calendar)
        try:
            for n, group in enumerate(duplicates(await book.contacts()), 1):
                console.print(Text(f"{n}. {' '.join(c.uid for c in group)}"))
                for card in group:
                    console.print(Text(f"     {card.line()}"))
        finally:
            await book.close()

    _run(print_duplicates())


def _undo_file(state: CliState) -> Path:
    return state.settings.home / "users" / state.settings.user / "contacts-undo.json"


@contacts.command()
@click.argument("uids", nargs=-1, required=True)
@click.option("--yes", is_flag=True)
@click.pass_obj
def merge(state: CliState, uids: tuple[str, ...], yes: bool) -> None:
    """Merge the cards UIDS into one, after showing the result."""
    async def merge_if_agreed() -> None:
        book = AddressBook(state.settings.calendar)
        try:
            group = await find_group(book, uids)
            if _ask(f"Merged card:\n{merged(group).strip()}", f"Replace {len(group)} cards with it?", yes):
                console.print(escape(await _logged(state, "contacts_merge", {"uids": list(uids)},
                                                   lambda: apply_merge(book, uids, _undo_file(state)))))
        finally:
            await book.close()

    _run(merge_if_agreed())


@contacts.command("undo")
@click.pass_obj
def undo_(state: CliState) -> None:
    """Restore the cards of the last merge."""
    async def restore_merged() -> str:
        book = AddressBook(state.settings.calendar)
        try:
            return await _logged(state, "contacts_undo", {},
                                 lambda: undo_merge(book, _undo_file(state)))
        finally:
            await book.close()

    console.print(escape(_run(restore_merged())))


@contacts.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Import without asking (after reading the list).")
@click.pass_obj
def import_cards(state: CliState, file: Path, yes: bool) -> None:
    """Show what the cards of a .vcf file would add or change; write them on yes."""
    text = file.read_text(errors="replace")
    cards = [c + "END:VCARD\r\n" for c in text.replace("\r\n", "\n").split("END:VCARD") if "BEGIN:VCARD" in c]
    if not cards:
        raise InputError(f"{file} holds no vCard")

    new = [parse_vcard(raw) for raw in cards]  # refuse a bad card before anything is written

    async def add_if_agreed() -> None:
        book = AddressBook(state.settings.calendar)
        try:
            held = {c.uid: c for c in await book.contacts()}
            plan = [f"change: {c.line()} (now {held[c.uid].line()})" if c.uid in held
                    else f"add: {c.line()}" for c in new]
            if not _ask("\n".join(plan), f"Import {_count(len(cards), 'card')}?", yes):
                console.print("Nothing imported.")
                return

            async def put_all() -> str:
                for raw, card in zip(cards, new, strict=True):
                    await book.put(raw, held[card.uid].href if card.uid in held else None)
                return f"imported {_count(len(cards), 'card')}"

            console.print(await _logged(state, "contacts_import",
                                        {"file": str(file), "cards": plan}, put_all))
        finally:
            await book.close()

    _run(add_if_agreed())


@click.command()
@click.option("-n", "limit", default=30, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def actions(state: CliState, limit: int, as_json: bool) -> None:
    """What os1 did, held for your yes, or refused (newest first)."""
    for action in open_guard(state.settings).recent(limit):
        if as_json:
            click.echo(json.dumps({"id": action.id, "tool": action.tool, "status": action.status,
                                   "arguments": action.arguments, "reasons": action.reasons,
                                   "created_at": action.created_at}))
        else:
            stamp = datetime.fromtimestamp(action.created_at).strftime("%Y-%m-%d %H:%M")
            console.print(Text(f"{action.id:>5} {stamp} {action.status:<8} {action.tool} "
                               f"{json.dumps(action.arguments, ensure_ascii=False)[:80]}"))
