"""Calendar and contacts against a real Radicale."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from os1.config import CalendarSettings
from os1.dav.calendar import Calendar, Event
from os1.dav.contacts import AddressBook, duplicates, make_vcard, parse_vcard
from os1.dav.merge import MergeHistory, apply_merge, lost, undo_merge
from os1.dav.reminders import due, quiet
from os1.errors import ToolFailed
from tests.dav.test_merge import HOME, WORK

ICS = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:standup-1@test
DTSTART:20300102T090000Z
DTEND:20300102T091500Z
SUMMARY:Standup
END:VEVENT
BEGIN:VEVENT
UID:review-1@test
DTSTART:20300102T140000Z
DTEND:20300102T150000Z
SUMMARY:Design review
LOCATION:Room 4
END:VEVENT
END:VCALENDAR
"""


@pytest.mark.integration  # a real Radicale
async def test_calendar_add_move_and_import(dav: CalendarSettings) -> None:
    cal = Calendar(dav)
    start = datetime(2030, 1, 2, 0, 0).astimezone()
    assert await cal.import_ics(ICS) == 2
    lunch = await cal.add("Lunch with Ana", start.replace(hour=12), start.replace(hour=13), "Café")
    day = await cal.events(start - timedelta(hours=14), start + timedelta(hours=38))
    assert {e.summary for e in day} == {"Standup", "Design review", "Lunch with Ana"}
    moved = await cal.move(lunch.uid, start.replace(hour=15))
    assert (moved.start.hour, moved.end - moved.start) == (15, timedelta(hours=1))
    assert (await Calendar(dav).get(lunch.uid)).start == moved.start  # read back from the server


def test_reminders_respect_lead_time_and_quiet_hours() -> None:
    now = datetime(2030, 1, 2, 9, 55).astimezone()
    meeting = Event("m1", "a meeting", now + timedelta(minutes=5), now + timedelta(minutes=35))
    later = Event("m2", "lunch", now + timedelta(hours=3), now + timedelta(hours=4))
    told: set[str] = set()
    assert due([meeting, later], now, timedelta(minutes=10), "22:00-08:00", told) == \
        ["You have a meeting in 5 minutes."]
    assert due([meeting], now, timedelta(minutes=10), "22:00-08:00", told) == []  # once only
    assert quiet(now.replace(hour=23), "22:00-08:00") and quiet(now.replace(hour=7), "22:00-08:00")
    night = now.replace(hour=23)
    assert due([Event("m3", "x", night + timedelta(minutes=5), night + timedelta(hours=1))], night,
               timedelta(minutes=10), "22:00-08:00", set()) == []


@pytest.mark.integration  # a real Radicale
async def test_duplicate_people_merge_and_undo_in_any_order(dav: CalendarSettings, tmp_path: Path) -> None:
    book = AddressBook(dav)
    for name, emails, phones in [("Ana Souza", ["ana@example.org"], ["+351 912 345 678"]),
                                 ("souza ana", [], ["912345678"]),
                                 ("Ána Souza", ["ana.work@example.com"], []),
                                 ("Bob Stone", ["bob@example.net"], []),
                                 ("Bob Stone", ["bob@work.example"], [])]:
        await book.put(make_vcard(name, emails, phones))
    cards = await book.contacts()
    ana, bob = sorted(duplicates(cards), key=len, reverse=True)
    assert sorted(c.name for c in ana) == ["Ana Souza", "souza ana", "Ána Souza"]
    history = MergeHistory(tmp_path / "merges.json")
    await apply_merge(book, [c.uid for c in ana], history)
    await apply_merge(book, [c.uid for c in bob], history)
    after = await book.contacts()
    assert len(after) == 2
    [merged_ana] = [c for c in after if "ana@example.org" in c.emails]
    assert set(merged_ana.emails) == {"ana@example.org", "ana.work@example.com"}
    assert len(merged_ana.phones) == 1
    assert "restored 3 cards (merge 1)" in await undo_merge(book, history, 1)  # the older one first
    assert len(await book.contacts()) == 4
    await undo_merge(book, history)
    assert sorted(c.raw for c in await book.contacts()) == sorted(c.raw for c in cards)
    with pytest.raises(ToolFailed, match="no merge to undo"):
        await undo_merge(book, history)
    rich = [parse_vcard(WORK), parse_vcard(HOME)]  # every kind of field, as the server keeps it
    for card in rich:
        await book.put(card.raw)
    await apply_merge(book, ["ana-work", "ana-home"], history, {"bday": 2})
    [kept] = [c for c in await book.contacts() if c.uid == "ana-work"]
    assert lost(rich, kept.raw) == [] and "BDAY:1990-02-04" in kept.raw
    await book.close()


@pytest.mark.integration  # a real Radicale
def test_reminder_arrives_while_os1_runs(dav: CalendarSettings) -> None:
    import asyncio
    import threading

    from os1.dav.reminders import ReminderThread

    soon = datetime.now().astimezone().replace(microsecond=0) + timedelta(minutes=5)
    asyncio.run(Calendar(dav).add("a meeting", soon, soon + timedelta(minutes=30)))
    heard: list[str] = []
    arrived = threading.Event()

    def say(text: str) -> None:
        heard.append(text)
        arrived.set()

    reminders = ReminderThread(Calendar(dav), timedelta(minutes=10), "", say, every_s=0.2)
    reminders.start()
    assert arrived.wait(60)
    reminders.stop()
    assert heard[0].startswith("You have a meeting in ")
