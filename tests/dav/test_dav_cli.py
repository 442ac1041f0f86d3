"""`os1 calendar import` and `os1 contacts import` as a user runs them against Radicale: what
would be added or changed is shown, nothing is written without a yes, and `os1 actions` logs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
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


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's time zone is New York's (no profile zone is set)."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("new_york")
def test_an_invitation_from_a_mail_shown_in_the_users_zone_and_moved_by_its_short_id(
        os1_home: Path, dav: CalendarSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from os1.cli.main import cli
    from os1.mail.index import MailIndex
    from os1.mail.parse import parse
    from os1.mail.service import index_path
    from tests.mail.test_mail_show import INVITE

    password = dav.password.get_secret_value() if dav.password else ""
    for name, value in (("URL", dav.url), ("USERNAME", dav.username), ("PASSWORD", password),
                        ("CALENDAR", dav.calendar), ("ADDRESSBOOK", dav.addressbook)):
        monkeypatch.setenv(f"OS1_CALENDAR__{name}", value or "")
    index = MailIndex(index_path(os1_home, "default"))  # a mail holding an invitation, as synced
    invitation = (b"From: ana@example.org\r\nTo: me@example.org\r\nSubject: Launch\r\n"
                  b"Content-Type: text/calendar; method=REQUEST\r\n\r\n" + INVITE.encode())
    index.add("INBOX", 1, [(1, (), parse(invitation), 0)])
    index.close()

    def os1(*args: str) -> str:
        done = CliRunner().invoke(cli, list(args))
        assert done.exit_code == 0, done.output
        return " ".join(done.output.split())

    assert "--add-to-calendar" in os1("mail", "show", "1")
    assert "imported 1 event" in os1("mail", "show", "1", "--add-to-calendar", "--yes")
    day = os1("calendar", "day", "2030-01-15")
    assert "(EST): 1 event" in day and "05:00–06:00 Launch call (id launch-1)" in day  # 10:00 UTC
    assert "moved: Tue 15 Jan 08:00" in os1("calendar", "move", "launch-1", "2030-01-15 08:00", "--yes")
    assert os1("calendar", "remind") == ""  # nothing due: quietly nothing
    garbage = tmp_path / "photo.ics"
    garbage.write_bytes(bytes(range(256)) * 8)
    refused = CliRunner().invoke(cli, ["calendar", "import", str(garbage)])
    assert refused.exit_code == 2 and len(refused.output.strip().splitlines()) == 1
    assert logged_in_process() == [("calendar_move", "done"), ("calendar_import", "done")]


def logged_in_process() -> list[tuple[str, str]]:
    from click.testing import CliRunner

    from os1.cli.main import cli

    lines = CliRunner().invoke(cli, ["actions", "--json"]).output.splitlines()
    return [(json.loads(a)["tool"], json.loads(a)["status"]) for a in lines]
