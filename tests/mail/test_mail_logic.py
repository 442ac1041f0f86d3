"""Parsing, clean-up rules and proofreading on their own (the server tests cover the wiring)."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from os1.mail.cleanup import propose
from os1.mail.index import Mail
from os1.mail.parse import parse
from os1.mail.proofread import proofread
from os1.mail.similar import simhash, subject_template
from os1.mail.superseded import identifiers, same_thing, superseded


def row(n: int, sender: str, subject: str, text: str, *, days: float = 0, bulk: bool = False,
        list_id: str = "", mid: str = "", flags: tuple[str, ...] = ()) -> Mail:
    return Mail(n, "INBOX", n, mid or f"<{n}@x>", "", f"<{n}@x>", sender, "", "", (), subject,
                time.time() - days * 86400, flags, text, list_id, bulk, str(hash(text)),
                simhash(subject + " " + text))


def test_broken_mail_parses_to_something_readable() -> None:
    raw = b"From: =?utf-8?b?!!!?= <x@y>\r\nSubject: \xff\xfe odd\r\nDate: not a date\r\n\r\nbody \x00 text"
    parsed = parse(raw)
    assert parsed.from_addr == "x@y" and parsed.date == 0.0 and "body" in parsed.text
    assert parsed.message_id.endswith("@os1.local>")  # no Message-ID: one is derived from the bytes


async def test_cleanup_rules() -> None:
    long = "Here are the notes from today's planning meeting about the garden project and the budget"
    mails = [
        row(1, "ana@x", "Notes", long, days=2),
        row(2, "ana@x", "Re: Notes", long + " (fixed a typo)", days=1),  # near duplicate, newer kept
        row(3, "noreply@bank", "Your statement for March", "ready", days=3, bulk=True),
        row(4, "noreply@bank", "Your statement for April", "ready", days=1, bulk=True),  # a series
        row(9, "noreply@shop", "Order 1001 shipped", "on its way", days=3, bulk=True),
        row(10, "noreply@shop", "Order 1002 shipped", "on its way", days=1, bulk=True),  # two orders
        row(5, "news@paper", "Issue 7", "stories", days=45, bulk=True, list_id="<paper>"),
        row(6, "news@paper", "Issue 8", "stories", days=2, bulk=True, list_id="<paper>"),  # recent: kept
        row(7, "bob@x", "Important", "keep me", days=400, flags=("\\Flagged",)),
        row(8, "mum@x", "Hello", "a letter", days=400),  # old personal mail is never proposed
    ]
    found = {p.id: p for p in propose(mails, superseded=await superseded(mails, None))}
    assert sorted(found) == [1, 3, 5]
    assert found[1].reason.startswith("near duplicate of #2") and found[5].target == "archive"
    assert subject_template("Your statement for March is ready") == subject_template("Your statement for "
                                                                                      "April is ready")


def test_proofread_lists_each_change_and_tone() -> None:
    done = proofread("i definately recieve the the letter tommorow ,thanks!!! URGENT")
    assert done.text.startswith("I definitely receive the letter tomorrow,")
    assert "recieve → receive" in done.changes and "a word written twice" in done.changes
    assert any("shouting" in n for n in done.notes) and any("!!!" in n for n in done.notes)


async def test_a_notification_is_superseded_by_a_later_one_about_the_same_thing() -> None:
    mails = [row(1, "ship@store", "Your order A-88231 has shipped", "on its way", days=3, bulk=True),
             row(2, "ship@store", "Good news: order A-88231 has been delivered", "at the door", days=1,
                 bulk=True),
             row(3, "ship@store", "Your 2030 catalogue", "pages", days=2, bulk=True),
             row(4, "ship@store", "Your order B-99012 has shipped", "on its way", days=2, bulk=True)]
    found = {p.id: p.reason for p in propose(mails, superseded=await superseded(mails, None))}
    assert found == {1: "superseded by the newer notification #2"}


def test_identifiers_name_the_thing_and_not_a_footer() -> None:
    shipped = row(1, "ship@store", "Your order has shipped", "Order #A-88231 is on its way. "
                  "Questions? Call 0800-555-1234.", bulk=True)
    flight = row(2, "fly@air", "Your flight LX318 is confirmed", "Departs 7 May 2031 at 08:40", bulk=True)
    assert identifiers(shipped) == {"A-88231"} and identifiers(flight) == {"LX318"}


@pytest.mark.parametrize(("older", "newer", "cosine", "same"), [
    ("Your order 113-4471 has shipped", "Your order 113-9902 has been delivered", 0.99, False),
    ("Your order 113-4471 has shipped", "Order 113-4471 delivered", 0.1, True),  # one order
    ("Your statement for March", "Your statement for April", 0.1, True),  # a series
    ("Reset your password", "Your password was changed", 0.7, True),  # by meaning
    ("Reset your password", "New sign-in from Chrome", 0.3, False),
])
def test_same_thing_by_identifiers_series_then_meaning(older: str, newer: str, cosine: float,
                                                        same: bool) -> None:
    a, b = row(1, "no-reply@x", older, "", days=2, bulk=True), row(2, "no-reply@x", newer, "", bulk=True)
    assert same_thing(a, b, cosine) is same


def test_meaning_alone_does_not_reach_across_months() -> None:
    a = row(1, "no-reply@x", "Your order has shipped", "", days=60, bulk=True)
    b = row(2, "no-reply@x", "Your order has been delivered", "", bulk=True)
    assert not same_thing(a, b, 0.99) and same_thing(replace(a, date=b.date - 86400), b, 0.99)


def test_fetch_batches_are_bounded_in_bytes_and_large_mail_is_read_only_in_part() -> None:
    from os1.mail.imap import BATCH_BYTES, FETCH_BATCH, MAX_READ, batches

    sizes = {1: 20 * 1024 * 1024, 2: 1000, **{u: 3 * 1024 * 1024 for u in range(3, 13)}}
    out = batches(list(sizes), sizes)
    assert [u for b in out for u in b] == list(sizes)
    assert all(sum(min(sizes[u], MAX_READ) for u in b) <= BATCH_BYTES for b in out)
    assert batches(list(range(1, 1202)), {}) == [list(range(1, 501)), list(range(501, 1001)),
                                                 list(range(1001, 1202))] and FETCH_BATCH == 500
