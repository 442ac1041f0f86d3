"""Mail as a plugin: the companion's mail tools, for a user whose mailbox is set up
(``mail.imap_host``). The mail modules load only then."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from os1.config import Settings
from os1.hookspecs import hookimpl
from os1.tools.base import Tool


@hookimpl
def register_skill_tools(settings: Settings,
                         register: Callable[[Sequence[Tool], Callable[[], Awaitable[None]]], None]) -> None:
    if not settings.mail.imap_host:
        return
    from os1.mail.index import MailIndex
    from os1.mail.service import MailService, index_path
    from os1.mail.tools import mail_tools
    from os1.memory.embedding.embedders import load_embedder

    embedder = load_embedder(settings.memory.embedder, settings.memory.embedder_threads or None)
    service = MailService(settings.mail, MailIndex(index_path(settings.home, settings.user)), embedder)
    register(mail_tools(service), service.close)
