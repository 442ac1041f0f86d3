"""The everyday-help tools (mail, calendar, contacts) for whichever accounts are set up, built
from ``Settings`` at an entry point. Returns the tools and the coroutines that close them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from os1.config import Settings
from os1.tools.base import Tool

Closer = Callable[[], Awaitable[None]]


def everyday_tools(settings: Settings) -> tuple[list[Tool], list[Closer]]:
    from os1.tools.web import web_tools

    tools: list[Tool] = web_tools()
    closers: list[Closer] = []
    if settings.mail.imap_host:
        from os1.mail.index import MailIndex
        from os1.mail.service import MailService, index_path
        from os1.mail.tools import mail_tools

        service = MailService(settings.mail, MailIndex(index_path(settings.home, settings.user)))
        tools += mail_tools(service)
        closers.append(service.close)
    if settings.calendar.url:
        from os1.dav.tools import dav_tools

        more, close = dav_tools(settings.calendar, settings.home / "users" / settings.user)
        tools += more
        closers.append(close)
    return tools, closers
