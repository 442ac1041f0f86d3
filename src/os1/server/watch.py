"""A long-lived socket's rights are checked while it lives, not only when it opens.

``watched`` ends a socket the moment what opened it stops being valid: a revocation published
through the hub (logout, a revoked token, a disabled account; on any worker), or, for changes
made where no hub reaches (``os1 users disable`` without Redis), a check of the credential
every ``server.recheck_seconds`` and before every turn."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from os1.server.auth import Caller, still_valid
from os1.server.hub import REVOKED, Event
from os1.server.site import Site

ENDED = "your session has ended (logged out, revoked or disabled); log in again"


@asynccontextmanager
async def watched(site: Site, who: Caller, end: Callable[[], Awaitable[None]]) -> AsyncIterator[None]:
    """While inside, ``end`` is called once if ``who``'s rights are withdrawn."""
    withdrawn = asyncio.Event()

    def deliver(event: Event) -> None:
        if event.get("type") == REVOKED and event.get("credential") in (None, who.credential):
            withdrawn.set()

    socket_id = await site.hub.join(who.user_id, deliver)
    task = asyncio.create_task(_watch(site, who, withdrawn, end))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await site.hub.leave(who.user_id, socket_id)


async def _watch(site: Site, who: Caller, withdrawn: asyncio.Event,
                 end: Callable[[], Awaitable[None]]) -> None:
    every = site.settings.server.recheck_seconds
    while not withdrawn.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(withdrawn.wait(), every)
        if not withdrawn.is_set() and not await still_valid(site, who):
            withdrawn.set()
    await end()
