"""`os1 calendar import` and `os1 contacts import` as a user runs them against Radicale: what
would be added or changed is shown, nothing is written without a yes, and `os1 actions` logs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from os1.config import CalendarSettings
from os1.dav.calendar import Calendar
from os1.dav.contacts import AddressBook, make_vcard

pytestmark = pytest.mark.integration  # Radicale and os1 processes

ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:dentist-1\r
DTSTART:20300501T090000Z\r
DTEND:20300501T100000Z\r
SUMMARY:Dentist\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:lunch-1\r
DTSTART:20300502T120000Z\r
DTEND:20300502T130000Z\r
SUMMARY:Lunch with Ana\r
END:VEVENT\r
END:VCALENDAR\r
"""


def run(home: Path, dav: CalendarSettings, *args: str, stdin: str | None = None) -> str:
    password = dav.password.get_secret_value() if dav.password else ""
    env = {**os.environ, "OS1_HOME": str(home), "OS1_CALENDAR__URL": dav.url,
           "OS1_CALENDAR__USERNAME": dav.username, "OS1_CALENDAR__PASSWORD": password,
           "OS1_CALENDAR__CALENDAR": dav.calendar, "OS1_CALENDAR__ADDRESSBOOK": dav.addressbook}
    done = subprocess.run([sys.executable, "-m", "os1", *args], env=env, input=stdin, text=True,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def os1(home: Path, dav: CalendarSettings, *args: str, stdin: str | None = None) -> str:
    """What the command printed, its lines rejoined (the terminal wraps long ones)."""
    return " ".join(run(home, dav, *args, stdin=stdin).split())


def logged(home: Path, dav: CalendarSettings) -> list[tuple[str, str]]:
    lines = run(home, dav, "actions", "--json").splitlines()
    return [(json.loads(a)["tool"], json.loads(a)["status"]) for a in lines]


async def test_calendar_import_shows_what_it_adds_and_changes_and_writes_on_yes(
        os1_home: Path, dav: CalendarSettings, tmp_path: Path) -> None:
    cal = Calendar(dav)
    uid = (await cal.add("Dentist (old time)", datetime.fromisoformat("2030-05-01T08:00:00+00:00"),
                           datetime.fromisoformat("2030-05-01T09:00:00+00:00"))).uid
    ics = tmp_path / "events.ics"
    ics.write_text(ICS.replace("dentist-1", uid))
    refused = os1(os1_home, dav, "calendar", "import", str(ics), stdin="n\n")
    assert "Nothing imported" in refused
    assert "add: " in refused and "Lunch with Ana" in refused
    assert "change: " in refused and "Dentist (old time)" in refused
    day = await cal.events(datetime.fromisoformat("2030-05-01T00:00:00+00:00"),
                           datetime.fromisoformat("2030-05-03T00:00:00+00:00"))
    assert [e.summary for e in day] == ["Dentist (old time)"]
    os1(os1_home, dav, "calendar", "import", str(ics), stdin="y\n")
    day = await cal.events(datetime.fromisoformat("2030-05-01T00:00:00+00:00"),
                           datetime.fromisoformat("2030-05-03T00:00:00+00:00"))
    assert sorted(e.summary for e in day) == ["Dentist", "Lunch with Ana"]
    assert logged(os1_home, dav) == [("calendar_import", "done")]


async def test_contacts_import_shows_what_it_adds_and_changes_and_writes_on_yes(
        os1_home: Path, dav: CalendarSettings, tmp_path: Path) -> None:
    book = AddressBook(dav)
    try:
        old = make_vcard("Ana Lima", emails=["ana@old.example"], phones=[])
        await book.put(old)
        uid = (await book.contacts())[0].uid
        vcf = tmp_path / "cards.vcf"
        vcf.write_text(make_vcard("Ana Lima", emails=["ana@new.example"], phones=[], uid=uid)
                       + make_vcard("Bo Chen", emails=["bo@example.org"], phones=[]))
        refused = os1(os1_home, dav, "contacts", "import", str(vcf), stdin="n\n")
        assert "Nothing imported" in refused and "add: Bo Chen" in refused
        assert "change: Ana Lima ana@new.example" in refused and "ana@old.example" in refused
        assert [c.line() for c in await book.contacts()] == ["Ana Lima ana@old.example"]
        os1(os1_home, dav, "contacts", "import", str(vcf), stdin="y\n")
        assert sorted(c.line() for c in await book.contacts()) == ["Ana Lima ana@new.example",
                                                                   "Bo Chen bo@example.org"]
        assert logged(os1_home, dav) == [("contacts_import", "done")]
    finally:
        await book.close()
