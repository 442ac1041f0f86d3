"""``os1 journal`` (what os1 wrote after your conversations: list, show, edit, forget),
``os1 status`` (its mood now, with the cause, and what it is) and ``os1 persona`` (the persona's
versions: show, propose, diff, accept, edit, rollback)."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import click
from rich.markup import escape
from rich.table import Table

from os1.cli.io import ROW_ID, argument_text, console, decode_input
from os1.cli.state import CliState
from os1.errors import InputError
from os1.inner.growth import Growth, Version
from os1.inner.life import InnerLife
from os1.memory.moments import Moment
from os1.runtime import Runtime, open_store

T = TypeVar("T")
OPENED_IDLE_S = 60.0  # opening the journal writes about conversations silent for a minute
MAX_EDIT = 100_000  # characters of an edited entry or persona


def with_inner(state: CliState, work: Callable[[InnerLife], Awaitable[T]]) -> T:
    """Open the user's runtime and run ``work`` on their inner life."""
    async def opened() -> T:
        runtime = await Runtime.open(state.settings, state.model_name)
        try:
            return await work(runtime.inner_life())
        finally:
            await runtime.close()

    return asyncio.run(opened())


def _row(moment: Moment) -> dict[str, object]:
    return {"id": moment.id, "written": moment.item.when, "text": moment.item.text,
            "session": moment.data.get("session_id"), "how": moment.data.get("how"),
            "sources": moment.data.get("sources", [])}


@click.group()
def journal() -> None:
    """What os1 wrote in its journal after your conversations; read, edit or forget any entry."""


@journal.command("list")
@click.option("-n", "--limit", default=20, show_default=True, type=click.IntRange(1, 500),
              help="How many entries, newest first.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
@click.pass_obj
def list_(state: CliState, limit: int, as_json: bool) -> None:
    """List entries, newest first (writing any owed for finished conversations first)."""
    async def listed(inner: InnerLife) -> list[Moment]:
        await inner.catch_up(idle_s=OPENED_IDLE_S)
        return await (await inner.journal()).entries(limit)

    entries = with_inner(state, listed)
    if as_json:
        for moment in entries:
            click.echo(json.dumps(_row(moment)))
    elif not entries:
        console.print("No journal entries yet: os1 writes one after each conversation.")
    else:
        table = Table("id", "written", "entry", "how")
        for moment in entries:
            table.add_row(str(moment.id), moment.item.when, escape(moment.item.text),
                          str(moment.data.get("how", "")))
        console.print(table)


@journal.command()
@click.argument("entry_id", type=ROW_ID)
@click.option("--json", "as_json", is_flag=True, help="The entry and its data as JSON.")
@click.pass_obj
def show(state: CliState, entry_id: int, as_json: bool) -> None:
    """One entry, with the conversation and memories it was drawn from."""
    moment = with_inner(state, lambda i: _entry(i, entry_id))
    if as_json:
        click.echo(json.dumps(_row(moment)))
        return
    console.print(escape(moment.item.text))
    sources = ", ".join(str(s) for s in moment.data.get("sources", []))
    console.print(f"[dim]conversation {moment.data.get('session_id')}; written by "
                  f"{moment.data.get('how')}; drawn from memories {sources or 'none'}[/]")


def _edited(current: str) -> str | None:
    """The new text: typed in the editor at a terminal, else read whole from stdin."""
    if sys.stdin is not None and sys.stdin.isatty():
        return click.edit(current)
    return decode_input(sys.stdin.buffer.read(MAX_EDIT * 4 + 1), MAX_EDIT) or None


async def _entry(inner: InnerLife, entry_id: int) -> Moment:
    return await (await inner.journal()).entry(entry_id)


@journal.command()
@click.argument("entry_id", type=ROW_ID)
@click.argument("text", required=False)
@click.pass_obj
def edit(state: CliState, entry_id: int, text: str | None) -> None:
    """Replace an entry's words (TEXT; else typed in your editor, or read from stdin)."""
    async def edited(inner: InnerLife) -> None:
        journal = await inner.journal()
        new = text
        if new is None:
            current = (await journal.entry(entry_id)).item.text
            new = _edited(current)
            if new is None or new.strip() == current.strip():
                raise InputError("unchanged: the entry was not edited")
        await journal.edit(entry_id, argument_text(new))

    with_inner(state, edited)
    console.print(f"Edited journal entry {entry_id}.")


@journal.command()
@click.argument("entry_id", type=ROW_ID)
@click.pass_obj
def forget(state: CliState, entry_id: int) -> None:
    """Delete an entry for good (the store is compacted, as for any forgotten memory)."""
    async def forgotten(inner: InnerLife) -> None:
        await (await inner.journal()).forget(entry_id)

    with_inner(state, forgotten)
    console.print(f"Forgot journal entry {entry_id}.")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.pass_obj
def status(state: CliState, as_json: bool) -> None:
    """os1's mood now, with its cause: a small state kept from your conversations."""
    mood = with_inner(state, lambda i: i.mood())
    since = datetime.fromtimestamp(mood.at).strftime("%Y-%m-%d %H:%M") if mood.at else None
    if as_json:
        click.echo(json.dumps({"mood": mood.label, "cause": mood.cause, "valence": round(mood.valence, 3),
                               "arousal": round(mood.arousal, 3), "since": since,
                               "source_memory": mood.source_id}))
        return
    console.print(f"mood: [bold]{mood.label}[/], because {escape(mood.cause)}"
                  + (f" [dim](moved {since}, memory {mood.source_id})[/]" if since else ""))
    console.print(f"[dim]valence {mood.valence:+.2f}, arousal {mood.arousal:.2f}: a small state moved "
                  "by what you say and fading back to calm over hours, not a feeling.[/]")


def with_growth(state: CliState, work: Callable[[Growth], Awaitable[T]]) -> T:
    """Open the user's store and run ``work`` on their persona's versions."""
    async def opened() -> T:
        store = await open_store(state.settings)
        try:
            return await work(Growth(store))
        finally:
            await store.close()

    return asyncio.run(opened())


@click.group()
def persona() -> None:
    """os1's persona, a versioned document: its core (name, values, honesty about being an AI)
    never changes; what it learns about being with you changes only as you accept. `persona serve`
    serves another kind of OS, made of texts you give it."""


@persona.command("show")
@click.option("--version", "number", type=click.IntRange(0, 10**6), help="This version, not the one in use.")
@click.option("--all", "every", is_flag=True, help="List every version: when and why it was made.")
@click.pass_obj
def show_persona(state: CliState, number: int | None, every: bool) -> None:
    """The persona in use (or another version)."""
    async def shown(growth: Growth) -> tuple[list[Version], int]:
        current = await growth.current()
        if every:
            return await growth.versions(), current.number
        return [current if number is None else await growth.version(number)], current.number

    found, in_use = with_growth(state, shown)
    if every:
        for v in found:
            when = datetime.fromtimestamp(v.at).strftime("%Y-%m-%d %H:%M") if v.at else "-"
            mark = "*" if v.number == in_use else " "
            console.print(f"{mark} version {v.number}  {when}  {escape(v.why)}")
        console.print("[dim]* the version in use[/]")
        return
    click.echo(found[0].doc.text(), nl=False)


@persona.command()
@click.pass_obj
def propose(state: CliState) -> None:
    """Propose a change from what you told os1 about how you like it to be, and show the diff."""
    async def proposed(growth: Growth) -> str | None:
        proposal = await growth.propose()
        if proposal is None:
            return None
        reasons = "".join(f"# from {r}\n" for r in proposal.reasons)
        return reasons + await growth.diff()

    shown = with_growth(state, proposed)
    if shown is None:
        console.print("Nothing new to propose.")
        return
    click.echo(shown, nl=False)
    console.print("[dim]`os1 persona accept` keeps it; `os1 persona edit` changes it first.[/]")


@persona.command("diff")
@click.argument("versions", nargs=-1, type=click.IntRange(0, 10**6))
@click.pass_obj
def diff_(state: CliState, versions: tuple[int, ...]) -> None:
    """The proposal against the version in use; or VERSION against the one in use; or A B."""
    if len(versions) > 2:
        raise InputError("give at most two versions")
    a, b = (versions + (None, None))[:2] if versions else (None, None)
    shown = with_growth(state, lambda g: g.diff(a, b))
    click.echo(shown or "no difference\n", nl=False)


@persona.command()
@click.pass_obj
def accept(state: CliState) -> None:
    """Keep the proposed change as a new version."""
    version = with_growth(state, lambda g: g.accept())
    console.print(f"Persona version {version.number} is in use.")


@persona.command("edit")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the new document from this file (else your editor, or stdin when piped).")
@click.pass_obj
def edit_persona(state: CliState, path: Path | None) -> None:
    """Edit the lines under 'How I am with ...' (the core is checked and cannot change)."""
    async def edited(growth: Growth) -> Version:
        if path is not None:
            text = decode_input(await asyncio.to_thread(path.read_bytes), MAX_EDIT)
        else:
            current = (await growth.current()).doc.text()
            typed = _edited(current)
            if typed is None or typed == current:
                raise InputError("unchanged: no new version was made")
            text = typed
        return await growth.edit(text)

    version = with_growth(state, edited)
    console.print(f"Persona version {version.number} is in use.")


@persona.command()
@click.argument("number", required=False, type=click.IntRange(0, 10**6))
@click.pass_obj
def rollback(state: CliState, number: int | None) -> None:
    """Go back to version NUMBER (default: the one before), kept as a new version."""
    version = with_growth(state, lambda g: g.rollback(number))
    console.print(f"Persona version {version.number} ({escape(version.why)}) is in use.")
