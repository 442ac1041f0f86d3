"""Proposals while ``os1 chat`` is open: a daemon thread with its own event loop (the chat's
loop waits on the keyboard) delivers them as they fall due, printed between lines and sent to
the desktop.

Between looks the thread only reads the plan book's earliest due time (the chat hears each turn's
words into the book itself, ``hear_new``); for a look it opens the user's store for itself (the
forgotten-source check, the morning note), sharing the chat's embedder, and closes it after, so
a second copy of the store's vectors is held for seconds a day, not for the whole chat."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from os1.config import Settings
from os1.initiative.delivery import Outlet, desktop
from os1.initiative.feed import enabled, open_initiative
from os1.initiative.keeping import earliest_due, plans_path
from os1.initiative.live import IDLE, WallClock, deliver_due, next_look
from os1.initiative.plans import Plan
from os1.memory.base import Embedder
from os1.memory.sqlite import store_path
from os1.runtime import open_store

log = logging.getLogger(__name__)


class InitiativeThread:
    """Delivers the chat's user's proposals as they fall due, until ``stop``; each goes to ``say``
    and, when ``initiative.desktop`` holds, to ``notify-send``."""

    def __init__(self, settings: Settings, embedder: Embedder, say: Callable[[Plan], None]) -> None:
        self.settings, self.embedder, self.say = settings, embedder, say
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[Any] | None = None
        self._thread = threading.Thread(target=self._run, name="os1-initiative", daemon=True)

    def start(self) -> None:
        if enabled(self.settings):
            self._thread.start()

    def stop(self) -> None:
        if self._loop is not None and self._task is not None:
            self._loop.call_soon_threadsafe(self._task.cancel)
            self._thread.join(timeout=5)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        with contextlib.suppress(asyncio.CancelledError):
            try:
                await self._deliver()
            except Exception:  # the chat goes on without live proposals
                log.exception("initiative: live delivery stopped")

    async def _deliver(self) -> None:
        clock = WallClock()
        while True:
            now = clock.now()
            wake = await self._look(now) if self._worth_a_look(now) else self._next_peek(now)
            await clock.sleep_until(wake)

    @property
    def _user_dir(self) -> Path:
        return store_path(self.settings.home, self.settings.user).parent

    def _worth_a_look(self, now: datetime) -> bool:
        wanted = self.settings.initiative
        if wanted.morning_note or wanted.check_in_days > 0:
            return True  # they are planned at a look
        due = earliest_due(plans_path(self._user_dir))
        return due is not None and due <= now.timestamp()

    def _next_peek(self, now: datetime) -> datetime:
        due = earliest_due(plans_path(self._user_dir))
        later = now + IDLE
        return later if due is None else min(later, datetime.fromtimestamp(due, now.tzinfo))

    async def _look(self, now: datetime) -> datetime:
        store = await open_store(self.settings, self.embedder)
        try:
            initiative = open_initiative(self.settings, await store.profile(), self._user_dir)
            try:
                await deliver_due(initiative, store, self.settings, now, self._outlets())
                return next_look(initiative, now)
            finally:
                initiative.book.close()
        finally:
            await store.close()

    def _outlets(self) -> list[Outlet]:
        async def printed(plan: Plan) -> None:
            self.say(plan)

        return [printed, *([desktop] if self.settings.initiative.desktop else [])]
