"""The initiative beside one user's memory: opened from Settings and the profile, and fed the
user's words from the store (each plan keeps the id of the memory it came from)."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

from os1.config import Settings
from os1.initiative.keeping import PlanBook, plans_path
from os1.initiative.plans import Plan
from os1.initiative.rules import Rules
from os1.initiative.scheduler import Initiative
from os1.memory.roles import CompanionMemory
from os1.timezones import user_zone

HEARD = "heard_up_to"  # the newest memory id already read, in the book's state table
BATCH = 200  # the user's newest utterances read at one catch-up


def rules_for(settings: Settings, profile: dict[str, str]) -> Rules:
    hours, minutes = settings.initiative.hour.split(":")
    return Rules(quiet_hours=profile.get("quiet_hours", settings.calendar.quiet_hours),
                 daily_cap=settings.initiative.daily_cap, hour=time(int(hours), int(minutes)))


def open_initiative(settings: Settings, profile: dict[str, str], user_dir: Path) -> Initiative:
    """The user's initiative over ``users/<user>/initiative.sqlite3``."""
    return Initiative(PlanBook(plans_path(user_dir), user_zone(profile)), rules_for(settings, profile))


async def catch_up(initiative: Initiative, store: CompanionMemory) -> int:
    """Hear what the user said since the last catch-up; returns how many utterances were read."""
    last = int(initiative.book.state(HEARD, "0") or 0)
    items = await store.list_memories(kind="utterance", limit=BATCH)
    fresh = sorted((m for m in items if m.id > last and m.role == "user"), key=lambda m: m.id)
    for item in fresh:
        initiative.hear(item.text, datetime.fromtimestamp(item.created_at, initiative.book.zone), item.id)
    if items:
        initiative.book.set_state(HEARD, str(max(last, *(m.id for m in items))))
    return len(fresh)


async def due_now(initiative: Initiative, store: CompanionMemory, now: datetime) -> list[Plan]:
    """The follow-ups due at ``now``; one whose source memory was forgotten is dropped unasked."""
    for plan in initiative.book.plans():
        if plan.due_at <= now and plan.source_id is not None and await store.get(plan.source_id) is None:
            initiative.book.set_status(plan.id, "dropped", now)
    return initiative.due(now)
