"""Real servers for the mail tests, started once per session: Dovecot (IMAP) and aiosmtpd
(SMTP, delivering into Dovecot). Each test gets a mailbox of its own."""

from __future__ import annotations

import email.utils
import itertools
import time
from collections.abc import AsyncIterator, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from os1.config import MailSettings
from os1.mail.index import MailIndex
from os1.mail.service import MailService
from os1.testing.servers import Imap, Smtp, append, dovecot, smtp_server

_users = itertools.count()


@pytest.fixture(scope="session")
def servers() -> Iterator[tuple[Imap, Smtp]]:
    with dovecot() as imap, smtp_server(imap) as smtp:
        yield imap, smtp


@pytest.fixture
def imap(servers: tuple[Imap, Smtp]) -> Imap:
    return servers[0].as_user(f"user{next(_users)}@example.org")


@pytest.fixture
def smtp(servers: tuple[Imap, Smtp]) -> Smtp:
    return servers[1]


def account(imap: Imap, smtp: Smtp) -> MailSettings:
    return MailSettings(address=imap.user, password=imap.password, imap_host=imap.host,  # type: ignore[arg-type]
                        imap_port=imap.port, imap_security="none", smtp_host=smtp.host,
                        smtp_port=smtp.port, smtp_security="none")


@pytest.fixture
async def service(imap: Imap, smtp: Smtp, tmp_path: Path) -> AsyncIterator[MailService]:
    svc = MailService(account(imap, smtp), MailIndex(tmp_path / "mail.sqlite3"))
    yield svc
    await svc.close()


def mail(sender: str, subject: str, body: str, *, to: str = "me@example.org", days_ago: float = 0,
         msgid: str | None = None, html: bool = False, **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate(time.time() - days_ago * 86400)
    msg["Message-ID"] = msgid or email.utils.make_msgid(domain="mail.test")
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body, subtype="html" if html else "plain")
    return bytes(msg)


def deliver(imap: Imap, *raws: bytes) -> None:
    for raw in raws:
        append(imap, raw)
