"""Superseded notifications found by meaning, in mail synced from the real Dovecot and judged
with the embedder os1 bundles: the summary lists each out-of-date notification apart with the
newer one about the same thing, and the clean-up proposes it; a second order, an unrelated notice
from the same sender and a person's mail are left alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from os1.mail.index import MailIndex
from os1.mail.service import MailService
from os1.memory.embedding.embedders import load_embedder
from os1.testing.servers import Imap, Smtp
from tests.mail.conftest import account, deliver, mail

pytestmark = pytest.mark.integration  # Dovecot, and the bundled embedding model

# (sender, subject, body, days ago); the expected pairs name subjects, older first
MAILS = [
    ("ship-confirm@shop.example", "Your order has shipped",
     "Good news! Order #A-88231 is on its way and should arrive Thursday.", 3),
    ("ship-confirm@shop.example", "Your order has shipped",
     "Good news! Order #B-99012 is on its way and should arrive Friday.", 2.5),
    ("ship-confirm@shop.example", "Your order has been delivered",
     "Order #A-88231 was delivered to your front door at 14:02.", 1),
    ("no-reply@accounts.example", "Reset your password",
     "Someone asked to reset your password. Click the link below to choose a new one.", 2),
    ("no-reply@accounts.example", "Your password was changed",
     "The password for your account was changed. If this was not you, contact support.", 1.9),
    ("calendar-notification@work.example", "Invitation: Quarterly planning @ Tue 10:00",
     "You have been invited to Quarterly planning on Tuesday at 10:00 in room 4B.", 2),
    ("calendar-notification@work.example", "Updated invitation: Quarterly planning @ Wed 14:00",
     "This event has been changed: Quarterly planning is now on Wednesday at 14:00 in room 4B.", 1),
    ("billing@power.example", "Your electricity bill is ready",
     "Your bill for this period is 84.20 EUR, due on the 15th.", 9),
    ("billing@power.example", "Planned outage in your area",
     "Power will be off on Tuesday between 09:00 and 12:00 for maintenance work.", 4),
    ("billing@power.example", "Payment received - thank you",
     "We received your payment of 84.20 EUR for your electricity bill.", 0.5),
    ("ana@example.net", "Your order has shipped?", "Did my parcel ship? It has not arrived.", 2),
]
SUPERSEDED = {
    ("Your order has shipped", "Your order has been delivered"),
    ("Reset your password", "Your password was changed"),
    ("Invitation: Quarterly planning @ Tue 10:00", "Updated invitation: Quarterly planning @ Wed 14:00"),
    ("Your electricity bill is ready", "Payment received - thank you"),
}


def _automatic(sender: str) -> dict[str, str]:
    """A notification says it was sent by a program (RFC 3834); a person's mail does not."""
    return {} if sender.endswith("example.net") else {"Auto_Submitted": "auto-generated"}


@pytest.fixture
async def meaning(imap: Imap, smtp: Smtp, tmp_path: Path) -> AsyncIterator[MailService]:
    service = MailService(account(imap, smtp), MailIndex(tmp_path / "mail.sqlite3"), load_embedder("minilm"))
    yield service
    await service.close()


async def test_superseded_notifications_are_found_by_meaning(meaning: MailService, imap: Imap) -> None:
    deliver(imap, *(mail(sender, subject, body, days_ago=days, **_automatic(sender))
                    for sender, subject, body, days in MAILS))
    await meaning.sync()
    summary = await meaning.summary()
    pairs = {(old.subject, newer.subject) for old, newer in summary.superseded}
    assert pairs == SUPERSEDED
    [shipped] = [old for old, _ in summary.superseded if old.subject == "Your order has shipped"]
    assert "A-88231" in shipped.text  # the delivered order's; order B is still on its way
    listed = [m.subject for m in summary.new + summary.can_wait + summary.needs_reply]
    assert listed.count("Your order has shipped") == 1 and "Planned outage in your area" in listed
    assert "Your order has shipped?" in [m.subject for m in summary.needs_reply]  # a person's
    _, items = await meaning.propose_cleanup()
    assert {p.subject for p in items if p.reason.startswith("superseded")} == {a for a, _ in SUPERSEDED}
