"""Proposals while ``os1 chat`` is open: a daemon thread with its own event loop (the chat's
loop waits on the keyboard) delivers them as they fall due, printed between lines and sent to
the desktop. The thread opens the user's store for itself, sharing the chat's embedder."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from os1.config import Settings
from os1.initiative.delivery import Outlet, desktop
from os1.initiative.feed import enabled, open_initiative
from os1.initiative.live import WallClock, keep_delivering
from os1.initiative.plans import Plan
from os1.memory.base import Embedder
from os1.memory.sqlite import store_path
from os1.runtime import open_store

log = logging.getLogger(__name__)


class InitiativeThread:
    """Runs ``keep_delivering`` for the chat's user until ``stop``; each proposal goes to ``say``
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
        store = await open_store(self.settings, self.embedder)
        try:
            user_dir = store_path(self.settings.home, self.settings.user).parent
            initiative = open_initiative(self.settings, await store.profile(), user_dir)
            try:
                await keep_delivering(initiative, store, self.settings, WallClock(), self._outlets())
            finally:
                initiative.book.close()
        finally:
            await store.close()

    def _outlets(self) -> list[Outlet]:
        async def printed(plan: Plan) -> None:
            self.say(plan)

        return [printed, *([desktop] if self.settings.initiative.desktop else [])]
