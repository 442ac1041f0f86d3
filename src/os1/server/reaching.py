"""The initiative on a server: os1 reaching out to each user over their open sockets, Web Push
and (single mode, on the user's own machine) the desktop.

Each user has at most one pending look, a keyed job (``os1.server.jobs``). ``wake`` books it when
a chat socket opens, a browser subscribes or (single mode) the worker starts: for the earliest
planned proposal, read from the plan book without opening the user's store (now, if it is due),
so an idle socket still costs no open store; now when the morning note or check-ins are on. A
turn books one within ``IDLE`` (the new words are heard then; a follow-up is never due sooner
than the next morning), and each look books the next for when something could fall due.

With several workers the job is a row of the site's schedule (``os1.server.jobs``), run by the
one worker whose ``DELETE`` takes it; the plan book's ``claim`` holds each proposal to one
delivery even so. A look hears the
user's new words, plans the morning note and check-ins that are turned on, and hands over what
the rules let through."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from os1.config import Settings
from os1.initiative.delivery import Outlet, desktop, event
from os1.initiative.feed import enabled, open_initiative
from os1.initiative.keeping import earliest_due, plans_path
from os1.initiative.live import IDLE, deliver_due, next_look
from os1.initiative.plans import Plan
from os1.memory.sqlite import store_path
from os1.server.hub import Hub
from os1.server.jobs import Jobs
from os1.server.push import Push
from os1.server.spaces import Spaces

LOOK = "initiative"  # the job kind


class Site(Protocol):
    """What a look needs of the worker's site (``os1.server.site.Site``)."""

    spaces: Spaces
    hub: Hub
    jobs: Jobs
    push: Push | None

    @property
    def mode(self) -> str: ...


def look_key(user_id: str) -> str:
    return f"{LOOK}:{user_id}"


async def schedule(site: Site, user_id: str, at: float | None = None) -> None:
    """A look for ``user_id`` at ``at`` (now by default), unless one is due sooner."""
    await site.jobs.add(user_id, time.time() if at is None else at, LOOK, key=look_key(user_id))


async def wake(site: Site, user_id: str) -> None:
    """Book a look for what the user has planned (see the module's docstring)."""
    settings = site.spaces.user_settings(user_id)
    if not enabled(settings):
        return
    now = time.time()
    if settings.initiative.morning_note or settings.initiative.check_in_days > 0:
        await schedule(site, user_id, now)
        return
    due = await asyncio.to_thread(earliest_due, plans_path(store_path(settings.home, user_id).parent))
    if due is not None:
        await schedule(site, user_id, max(due, now))


async def heard(site: Site, user_id: str) -> None:
    """After a turn: a look within ``IDLE``, unless one is booked sooner."""
    await schedule(site, user_id, time.time() + IDLE.total_seconds())


def outlets(site: Site, user_id: str, settings: Settings) -> Sequence[Outlet]:
    async def sockets(plan: Plan) -> None:
        await site.hub.publish(user_id, event(plan))

    async def push(plan: Plan) -> None:
        if site.push is not None:
            await site.push.send(user_id, event(plan))

    local = site.mode == "single" and settings.initiative.desktop
    return [sockets, push, *([desktop] if local else [])]


async def look(site: Site, user_id: str) -> list[Plan]:
    """Deliver the user's due proposals and book the next look; returns what was delivered."""
    async with site.spaces.use(user_id) as space:
        settings = space.runtime.settings
        if not enabled(settings):
            return []
        initiative = open_initiative(settings, await space.store.profile(),
                                     store_path(settings.home, user_id).parent)
        try:
            now = datetime.now(initiative.book.zone)
            places = outlets(site, user_id, settings)
            plans = await deliver_due(initiative, space.store, settings, now, places)
            wake = next_look(initiative, now)
        finally:
            initiative.book.close()
    await schedule(site, user_id, wake.timestamp())
    return plans
