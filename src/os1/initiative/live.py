"""Delivering while a front-end runs: bring the plans up to now, take what is due (the rules
decide), hand it to the outlets, and wait for the next moment something could fall due."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta

from os1.config import Settings
from os1.initiative.delivery import Outlet, hand_over
from os1.initiative.feed import due_now, refresh
from os1.initiative.plans import Plan
from os1.initiative.scheduler import Clock, Initiative
from os1.memory.roles import CompanionMemory

IDLE = timedelta(minutes=15)  # a look at least this often: new words, a new day's note


class WallClock:
    """The real time, aware, and real waiting."""

    def now(self) -> datetime:
        return datetime.now().astimezone()

    async def sleep_until(self, when: datetime) -> None:
        await asyncio.sleep(max(0.0, (when - self.now()).total_seconds()))


async def deliver_due(initiative: Initiative, store: CompanionMemory, settings: Settings, now: datetime,
                      outlets: Sequence[Outlet]) -> list[Plan]:
    """Plans brought up to ``now``; what is due handed to ``outlets``; returns what was handed."""
    await refresh(initiative, store, settings, now)
    plans = await due_now(initiative, store, now)
    await hand_over(plans, outlets)
    return plans


def next_look(initiative: Initiative, now: datetime, idle: timedelta = IDLE) -> datetime:
    wake = initiative.next_wake(now)
    return min(wake, now + idle) if wake is not None else now + idle


async def keep_delivering(initiative: Initiative, store: CompanionMemory, settings: Settings, clock: Clock,
                          outlets: Sequence[Outlet], idle: timedelta = IDLE) -> None:
    """Deliver as proposals fall due, for as long as the task runs."""
    while True:
        now = clock.now()
        await deliver_due(initiative, store, settings, now, outlets)
        await clock.sleep_until(next_look(initiative, now, idle))
