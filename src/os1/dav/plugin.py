"""Calendar and contacts as a plugin: the companion's CalDAV and CardDAV tools, for a user whose
server is set up (``calendar.url``). The DAV modules load only then."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import tzinfo

from os1.config import Settings
from os1.hookspecs import hookimpl
from os1.memory.roles import CompanionMemory
from os1.timezones import zone_of
from os1.tools.base import Tool


@hookimpl
def register_skill_tools(settings: Settings, store: CompanionMemory | None,
                         register: Callable[[Sequence[Tool], Callable[[], Awaitable[None]]], None]) -> None:
    if not settings.calendar.url:
        return
    from os1.dav.tools import dav_tools

    async def zone() -> tzinfo | None:  # the profile's time zone, else the machine's (None)
        return zone_of(await store.profile()) if store is not None else None

    tools, close = dav_tools(settings.calendar, settings.home / "users" / settings.user, zone)
    register(tools, close)
