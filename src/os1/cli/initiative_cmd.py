"""``os1 initiative``: what os1 plans to bring up on its own, and why; cancel or snooze any."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

import click
from rich.markup import escape
from rich.table import Table

from os1.cli.io import CORAL, ROW_ID, console
from os1.cli.state import CliState
from os1.errors import InputError
from os1.initiative.feed import catch_up, due_now, enabled, open_initiative, refresh
from os1.initiative.plans import Plan
from os1.initiative.scheduler import Initiative
from os1.memory.roles import CompanionMemory
from os1.memory.sqlite import store_path
from os1.runtime import open_store

T = TypeVar("T")


def with_initiative(state: CliState, work: Callable[[Initiative], T]) -> T:
    """Open the user's initiative, hear what they said since last time, then ``work`` on it."""
    async def opened() -> T:
        store = await open_store(state.settings)
        try:
            initiative = open_initiative(state.settings, await store.profile(),
                                         store_path(state.settings.home, state.settings.user).parent)
            try:
                await catch_up(initiative, store)
                return work(initiative)
            finally:
                initiative.book.close()
        finally:
            await store.close()

    return asyncio.run(opened())


async def show_due(state: CliState, store: CompanionMemory) -> list[Plan]:
    """The proposals due now, printed at the start of a chat (nothing when all are turned off)."""
    if not enabled(state.settings):
        return []
    user_dir = store_path(state.settings.home, state.settings.user).parent
    initiative = open_initiative(state.settings, await store.profile(), user_dir)
    try:
        now = datetime.now(initiative.book.zone)
        await refresh(initiative, store, state.settings, now)
        plans = await due_now(initiative, store, now)
    finally:
        initiative.book.close()
    for plan in plans:
        print_plan(plan)
    return plans


async def hear_new(state: CliState, store: CompanionMemory) -> None:
    """After a turn in the chat: its words into the plan book, for the live thread to see."""
    if not enabled(state.settings):
        return
    user_dir = store_path(state.settings.home, state.settings.user).parent
    initiative = open_initiative(state.settings, await store.profile(), user_dir)
    try:
        await catch_up(initiative, store, listen=state.settings.initiative.follow_ups)
    finally:
        initiative.book.close()


def print_plan(plan: Plan) -> None:
    """A proposal in the terminal, with its reason."""
    console.print(f"[bold {CORAL}]{escape(plan.text)}[/] [dim](because: {escape(plan.reason)})[/]")


def _row(plan: Plan) -> dict[str, object]:
    return {"id": plan.id, "kind": plan.kind, "status": plan.status, "due": plan.due_at.isoformat(),
            "text": plan.text,
            "reason": plan.reason, "source_memory": plan.source_id}


@click.group()
def initiative() -> None:
    """What os1 plans to bring up on its own (follow-ups on events you mentioned, the morning
    note, check-ins), and why."""


@initiative.command("list")
@click.option("--all", "every", is_flag=True, help="Also what was asked, cancelled or dropped.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
@click.pass_obj
def list_(state: CliState, every: bool, as_json: bool) -> None:
    """List planned follow-ups: when, what, why, and the memory each came from."""
    plans = with_initiative(state, lambda i: i.book.every() if every else i.book.plans())
    if as_json:
        for plan in plans:
            click.echo(json.dumps(_row(plan)))
        return
    if not plans:
        console.print("Nothing planned.")
        return
    table = Table("id", "status", "due", "what", "why", "memory")
    for plan in plans:
        table.add_row(str(plan.id), plan.status, f"{plan.due_at:%Y-%m-%d %H:%M}", escape(plan.text),
                      escape(plan.reason), str(plan.source_id or ""))
    console.print(table)


@initiative.command()
@click.argument("plan_id", type=ROW_ID)
@click.pass_obj
def cancel(state: CliState, plan_id: int) -> None:
    """Cancel a planned follow-up; os1 will not bring it up."""
    if not with_initiative(state, lambda i: i.cancel(plan_id, datetime.now(i.book.zone))):
        raise InputError(f"no planned follow-up {plan_id} (see `os1 initiative list`)")
    console.print(f"Cancelled follow-up {plan_id}.")


@initiative.command()
@click.argument("plan_id", type=ROW_ID)
@click.option("--hours", type=click.IntRange(1, 24 * 30), default=24, show_default=True,
              help="How long to put it off.")
@click.pass_obj
def snooze(state: CliState, plan_id: int, hours: int) -> None:
    """Put a planned follow-up off."""
    def put_off(i: Initiative) -> bool:
        return i.snooze(plan_id, datetime.now(i.book.zone) + timedelta(hours=hours))

    if not with_initiative(state, put_off):
        raise InputError(f"no planned follow-up {plan_id} (see `os1 initiative list`)")
    console.print(f"Snoozed follow-up {plan_id} for {hours} hours.")
