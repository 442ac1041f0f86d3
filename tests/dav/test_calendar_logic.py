"""Events in the user's own time zone, addressed by a short id or their title, and reminders
given once (pure parts; the Radicale tests cover the wiring)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from os1.dav.calendar import Event, _event, pick, plural, when
from os1.dav.reminders import Told, due
from os1.dav.tools import day_span
from os1.errors import ToolInputError

INVITE = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
BEGIN:VEVENT\r
UID:9f1c2e7a-launch@example.com\r
DTSTART:20300115T100000Z\r
DTEND:20300115T110000Z\r
SUMMARY:Launch call\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_an_event_shows_in_the_users_own_time_zone() -> None:
    [component] = icalendar.Calendar.from_ical(INVITE).walk("VEVENT")
    new_york, tokyo = ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo")
    assert _event(component, new_york).start.strftime("%H:%M") == "05:00"
    assert _event(component, tokyo).start.strftime("%d %H:%M") == "15 19:00"
    assert "Tue 15 Jan 05:00–06:00 Launch call (id 9f1c2e7a)" == _event(component, new_york).line()
    assert when("2030-01-15 09:00", tokyo).utcoffset() == timedelta(hours=9)
    start, end = day_span("2030-01-15", tokyo)
    assert (start.tzinfo, start.hour, end - start) == (tokyo, 0, timedelta(days=1))


def test_events_are_named_by_short_id_or_title() -> None:
    at = datetime(2030, 1, 15, 9, tzinfo=ZoneInfo("Europe/Lisbon"))
    events = [Event("9f1c2e7a-launch@example.com", "Launch call", at, at + timedelta(hours=1)),
              Event("1234abcd@os1", "Standup", at, at + timedelta(minutes=15)),
              Event("5678efgh@os1", "Standup", at + timedelta(days=1), at + timedelta(days=1, minutes=15))]
    assert pick(events, "9f1c2e7a").summary == "Launch call"
    assert pick(events, "launch CALL").uid.startswith("9f1c")
    with pytest.raises(ToolInputError, match="2 events match 'standup'.*--at"):
        pick(events, "standup")
    assert pick(events, "Standup", at + timedelta(days=1)).uid == "5678efgh@os1"
    with pytest.raises(ToolInputError, match="no event"):
        pick(events, "9f")  # too short to be an id, and no such title
    assert (plural(1, "event"), plural(2, "event"), plural(0, "event")) == ("1 event", "2 events", "0 events")


def test_a_reminder_is_given_once_across_runs(tmp_path: Path) -> None:
    now = datetime(2030, 1, 15, 9, 55, tzinfo=ZoneInfo("Europe/Lisbon"))
    meeting = Event("m1", "a meeting", now + timedelta(minutes=5), now + timedelta(minutes=35))
    told = Told(tmp_path / "reminded.json")
    for _ in range(2):  # two runs of `os1 calendar remind`, each reading what was told
        given = told.load()
        texts = due([meeting], now, timedelta(minutes=10), "", given)
        told.save(given, now)
    assert texts == [] and told.load() == {f"m1@{meeting.start.isoformat()}"}
    told.save(told.load(), now + timedelta(days=3))  # past events are forgotten
    assert told.load() == set()
