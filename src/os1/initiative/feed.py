"""The initiative beside one user's memory: opened from Settings and the profile, and fed the
user's words from the store (each plan keeps the id of the memory it came from)."""

from __future__ import annotations

import asyncio
from datetime import datetime, time
from pathlib import Path

from os1.config import Settings
from os1.initiative.keeping import PlanBook, plans_path
from os1.initiative.morning import considered, gather, plan_morning
from os1.initiative.plans import Plan
from os1.initiative.rules import MORNING_LAPSE, Rules
from os1.initiative.scheduler import Initiative
from os1.initiative.silence import plan_check_in
from os1.memory.base import MemoryItem
from os1.memory.roles import CompanionMemory, Recall
from os1.timezones import user_zone

HEARD = "heard_up_to"  # the newest memory id already read, in the book's state table
LAST_SAID = "last_said_at"  # when the user last said something (a timestamp), for check-ins
BATCH = 200  # the user's newest utterances read at one catch-up


def rules_for(settings: Settings, profile: dict[str, str]) -> Rules:
    hours, minutes = settings.initiative.hour.split(":")
    return Rules(quiet_hours=profile.get("quiet_hours", settings.calendar.quiet_hours),
                 daily_cap=settings.initiative.daily_cap, hour=time(int(hours), int(minutes)))


def open_initiative(settings: Settings, profile: dict[str, str], user_dir: Path) -> Initiative:
    """The user's initiative over ``users/<user>/initiative.sqlite3``."""
    return Initiative(PlanBook(plans_path(user_dir), user_zone(profile)), rules_for(settings, profile))


async def catch_up(initiative: Initiative, store: CompanionMemory, *, listen: bool = True) -> int:
    """Hear what the user said since the last catch-up (``listen=False``: only note when they
    last spoke), never what they keep private, and drop the plans whose source memory has
    since been forgotten or made private; returns how many utterances were read."""
    last = int(initiative.book.state(HEARD, "0") or 0)
    items = await store.list_memories(kind="utterance", limit=BATCH)
    fresh = sorted((m for m in items if m.id > last and m.role == "user"), key=lambda m: m.id)
    heard = [m for m in fresh if not m.private]
    if listen and heard:  # dateparser is CPU work: off the event loop
        await asyncio.to_thread(_hear, initiative, heard)
    await withdraw(initiative, store, datetime.now(initiative.book.zone))
    if fresh:
        initiative.book.set_state(LAST_SAID, str(fresh[-1].created_at))
    if items:
        initiative.book.set_state(HEARD, str(max(last, *(m.id for m in items))))
    return len(fresh)


def _hear(initiative: Initiative, items: list[MemoryItem]) -> None:
    for item in items:
        initiative.hear(item.text, datetime.fromtimestamp(item.created_at, initiative.book.zone), item.id)


def last_said(initiative: Initiative) -> datetime | None:
    """When the user last said something, as far as the initiative has read."""
    stamp = initiative.book.state(LAST_SAID)
    return datetime.fromtimestamp(float(stamp), initiative.book.zone) if stamp else None


def enabled(settings: Settings) -> bool:
    """Whether os1 reaches out at all: follow-ups, the morning note or check-ins."""
    wanted = settings.initiative
    return wanted.follow_ups or wanted.morning_note or wanted.check_in_days > 0


async def refresh(initiative: Initiative, store: CompanionMemory, settings: Settings, now: datetime) -> None:
    """Bring the plans up to ``now``: the user's new words heard, today's morning note and a
    check-in after a silence planned when they are turned on."""
    wanted = settings.initiative
    await catch_up(initiative, store, listen=wanted.follow_ups)
    local = now.astimezone(initiative.book.zone)
    if wanted.morning_note:
        hours, minutes = wanted.morning_hour.split(":")
        hour = time(int(hours), int(minutes))
        in_time = local < datetime.combine(local.date(), hour, tzinfo=local.tzinfo) + MORNING_LAPSE
        if in_time and not considered(initiative, local.date()):  # the calendar is asked once a day
            plan_morning(initiative, await gather(settings, local.date(), local), local.date(), hour)
    plan_check_in(initiative, last_said(initiative), local, wanted.check_in_days)


async def withdraw(initiative: Initiative, store: Recall, now: datetime, *,
                   due_only: bool = False) -> None:
    """Drop, unasked, every planned follow-up (``due_only``: those due at ``now``) whose source
    memory is forgotten or private: os1 never brings up what the user took back."""
    for plan in initiative.book.plans():
        if plan.source_id is None or (due_only and plan.due_at > now):
            continue
        source = await store.get(plan.source_id)
        if source is None or source.private:
            initiative.book.set_status(plan.id, "dropped", now)


async def due_now(initiative: Initiative, store: CompanionMemory, now: datetime) -> list[Plan]:
    """The follow-ups due at ``now``; one whose source memory was forgotten or made private
    is dropped unasked."""
    await withdraw(initiative, store, now, due_only=True)
    return initiative.due(now)
