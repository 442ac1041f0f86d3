"""``os1 calendar``, ``os1 contacts`` and ``os1 actions``: the calendar and address book over
CalDAV/CardDAV, and the log of everything os1 did or held for a yes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import TypeVar

import click
from rich.markup import escape
from rich.text import Text

from os1.cli.io import ROW_ID, confirm, console
from os1.cli.state import CliState
from os1.dav.calendar import Calendar, in_zone, plural, read_ics, when
from os1.dav.contacts import AddressBook, duplicates, find_group, parse_vcard, read_vcards
from os1.dav.merge import MergeHistory, apply_merge, merge_cards, undo_merge
from os1.dav.reminders import Told, due, told_path
from os1.dav.tools import day_span, merge_history_path, parse_picks
from os1.errors import InputError, ToolFailed, ToolInputError
from os1.memory.sqlite import store_path
from os1.runtime import open_guard, open_store
from os1.timezones import zone_of

T = TypeVar("T")


def _run(work: Awaitable[T]) -> T:
    return asyncio.run(work)  # type: ignore[arg-type]


def _zone(state: CliState) -> tzinfo | None:
    """The profile's time zone (`os1 profile`), else None: the machine's own."""
    if not store_path(state.settings.home, state.settings.user).exists():
        return None  # no profile yet: nothing to open

    async def read() -> tzinfo | None:
        store = await open_store(state.settings)
        try:
            return zone_of(await store.profile())
        finally:
            await store.close()

    return _run(read())


def _calendar(state: CliState) -> Calendar:
    return Calendar(state.settings.calendar, _zone(state))


def _ask(text: str, question: str, yes: bool) -> bool:
    console.print(Text(text))
    return yes or confirm(question, default=False)


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
    cal = _calendar(state)
    start, end = day_span(day, cal.zone)
    events = _run(cal.events(start, end))
    console.print(f"{start:%A %d %B} ({start.tzname()}): {plural(len(events), 'event')}")
    for event in events:
        console.print(Text(f"  {event.line()}"))


@calendar.command()
@click.argument("title")
@click.argument("start")
@click.option("--minutes", type=click.IntRange(1, 60 * 24 * 31), default=60, show_default=True,
              help="How long the event lasts.")
@click.option("--location", default="")
@click.option("--yes", is_flag=True)
@click.pass_obj
def add(state: CliState, title: str, start: str, minutes: int, location: str, yes: bool) -> None:
    """Add TITLE at START (e.g. "2030-05-01 14:30")."""
    cal = _calendar(state)
    begin = when(start, cal.zone)
    end = begin + timedelta(minutes=minutes)
    if _ask(f"Add {title}, {begin:%a %d %b %Y %H:%M}–{end:%H:%M} {location}".rstrip(), "Add it?", yes):

        async def add_event() -> str:
            return f"added: {(await cal.add(title, begin, end, location)).line()}"

        console.print(Text(_run(_logged(state, "calendar_add", {"title": title, "start": begin.isoformat(),
                                                                 "minutes": minutes, "location": location},
                                        add_event))))


@calendar.command()
@click.argument("event")
@click.argument("start")
@click.option("--at", "at", help="The event's current start, when several share its title.")
@click.option("--yes", is_flag=True)
@click.pass_obj
def move(state: CliState, event: str, start: str, at: str | None, yes: bool) -> None:
    """Move EVENT (its id from `day`, or its title) to START, keeping its length."""
    cal = _calendar(state)

    async def move_if_agreed() -> None:
        old = await cal.find(event, when(at, cal.zone) if at else None)
        new = when(start, cal.zone)
        if _ask(f"Move {old.summary} from {old.start:%a %d %b %H:%M} to {new:%a %d %b %Y %H:%M}",
                "Move it?", yes):
            async def move_event() -> str:
                return f"moved: {(await cal.move(old.uid, new)).line()}"

            console.print(Text(await _logged(state, "calendar_move",
                                             {"uid": old.uid, "start": new.isoformat()}, move_event)))

    _run(move_if_agreed())


@calendar.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Import without asking (after reading the list).")
@click.pass_obj
def import_(state: CliState, file: Path, yes: bool) -> None:
    """Show what the events of an .ics file would add or change; import them on yes."""
    import_events(state, _checked(file, lambda data: (read_ics(data), data)[1]), {"file": str(file)}, yes)


def _checked(file: Path, read: Callable[[bytes], T]) -> T:
    """A file's contents as ``read`` makes them, or one line (exit 2) naming the file."""
    try:
        return read(file.read_bytes())
    except ToolInputError as exc:
        raise InputError(f"{file}: {exc}") from None


def import_events(state: CliState, data: bytes, source: dict[str, object], yes: bool) -> None:
    """List what the events of ``data`` (iCalendar) add or change; write them on yes, logged."""
    cal = _calendar(state)

    async def import_if_agreed() -> None:
        plan = await cal.import_plan(data)
        if not plan:
            raise InputError("no event to import")
        if not _ask("\n".join(plan), f"Import {plural(len(plan), 'event')}?", yes):
            console.print("Nothing imported.")
            return

        async def save() -> str:
            return f"imported {plural(await cal.import_ics(data), 'event')}"

        console.print(await _logged(state, "calendar_import", {**source, "events": plan}, save))

    _run(import_if_agreed())


@calendar.command()
@click.pass_obj
def remind(state: CliState) -> None:
    """Print reminders due now (outside quiet hours), e.g. from cron; each one only once."""
    settings = state.settings.calendar
    cal = _calendar(state)
    now = in_zone(datetime.now(), cal.zone)
    lead = timedelta(minutes=settings.reminder_minutes)
    events = _run(cal.events(now, now + lead))
    told = Told(told_path(store_path(state.settings.home, state.settings.user).parent))
    given = told.load()
    texts = due(events, now, lead, settings.quiet_hours, given)
    if texts:
        told.save(given, now)
    for text in texts:
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


def _history(state: CliState) -> MergeHistory:
    return MergeHistory(merge_history_path(state.settings.home / "users" / state.settings.user))


@contacts.command()
@click.argument("uids", nargs=-1, required=True)
@click.option("--pick", "picks", multiple=True, metavar="FIELD=N",
              help="Where the cards disagree (fn, n, bday...), keep value N of that field.")
@click.option("--yes", is_flag=True)
@click.pass_obj
def merge(state: CliState, uids: tuple[str, ...], picks: tuple[str, ...], yes: bool) -> None:
    """Merge the cards UIDS into one keeping every field, after showing the result."""
    chosen = parse_picks(" ".join(picks))

    async def merge_if_agreed() -> None:
        book = AddressBook(state.settings.calendar)
        try:
            group = await find_group(book, uids)
            if _ask(merge_cards(group, chosen).preview(group), f"Replace {len(group)} cards with it?", yes):
                console.print(escape(await _logged(
                    state, "contacts_merge", {"uids": list(uids), "picks": chosen},
                    lambda: apply_merge(book, uids, _history(state), chosen))))
        finally:
            await book.close()

    _run(merge_if_agreed())


@contacts.command("merges")
@click.pass_obj
def merges(state: CliState) -> None:
    """Every merge, newest first, with the number `undo` takes."""
    entries = _history(state).entries()
    if not entries:
        console.print("No merges.")
    for entry in reversed(entries):
        stamp = datetime.fromtimestamp(entry["at"]).strftime("%Y-%m-%d %H:%M")
        status = "undone" if entry["undone"] else "merged"
        names = ", ".join(o["uid"] for o in entry["originals"])
        console.print(Text(f"{entry['id']:>4} {stamp} {status:<6} {entry['name']}: "
                           f"{plural(len(entry['originals']), 'card')} ({names})"))


@contacts.command("undo")
@click.argument("number", type=ROW_ID, required=False)
@click.pass_obj
def undo_(state: CliState, number: int | None) -> None:
    """Restore the cards of merge NUMBER (see `merges`; the last one by default)."""
    async def restore_merged() -> str:
        book = AddressBook(state.settings.calendar)
        try:
            return await _logged(state, "contacts_undo", {"merge": number},
                                 lambda: undo_merge(book, _history(state), number))
        finally:
            await book.close()

    console.print(escape(_run(restore_merged())))


@contacts.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Import without asking (after reading the list).")
@click.pass_obj
def import_cards(state: CliState, file: Path, yes: bool) -> None:
    """Show what the cards of a .vcf file would add or change; write them on yes."""
    cards = _checked(file, read_vcards)
    new = [parse_vcard(raw) for raw in cards]

    async def add_if_agreed() -> None:
        book = AddressBook(state.settings.calendar)
        try:
            held = {c.uid: c for c in await book.contacts()}
            plan = [f"change: {c.line()} (now {held[c.uid].line()})" if c.uid in held
                    else f"add: {c.line()}" for c in new]
            if not _ask("\n".join(plan), f"Import {plural(len(cards), 'card')}?", yes):
                console.print("Nothing imported.")
                return

            async def put_all() -> str:
                for done, (raw, card) in enumerate(zip(cards, new, strict=True)):
                    try:
                        await book.put(raw, held[card.uid].href if card.uid in held else None)
                    except ToolFailed as exc:
                        raise ToolFailed(f"imported {done} of {plural(len(cards), 'card')}; "
                                         f"{card.name or card.uid} failed: {exc}") from exc
                return f"imported {plural(len(cards), 'card')}"

            console.print(await _logged(state, "contacts_import",
                                        {"file": str(file), "cards": plan}, put_all))
        finally:
            await book.close()

    _run(add_if_agreed())


@click.command()
@click.option("-n", "limit", type=click.IntRange(1, 10_000), default=30, show_default=True)
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
