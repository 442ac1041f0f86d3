"""CalDAV through the ``caldav`` library (blocking, so each call runs in a worker thread), plus
.ics import through ``icalendar``. Events come back as plain values."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import icalendar
from caldav.davclient import DAVClient
from caldav.lib.error import DAVError
from requests.exceptions import RequestException

from os1.config import CalendarSettings
from os1.errors import ConfigError, ToolFailed, ToolInputError

T = TypeVar("T")


@dataclass(frozen=True)
class Event:
    uid: str
    summary: str
    start: datetime
    end: datetime
    location: str = ""

    def line(self) -> str:
        where = f" at {self.location}" if self.location else ""
        return f"{self.start:%a %d %b %H:%M}–{self.end:%H:%M} {self.summary}{where} (uid {self.uid})"


def when(text: str) -> datetime:
    """An ISO date-time from the model or the user; without a zone it is local time."""
    try:
        value = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        raise ToolInputError(f"not a date and time: {text!r} (use e.g. 2030-05-01 14:30)") from None
    return value if value.tzinfo else value.astimezone()


def _aware(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.astimezone()
    return datetime(value.year, value.month, value.day).astimezone()


def _event(component: Any) -> Event:
    start = _aware(component["DTSTART"].dt)
    end = _aware(component["DTEND"].dt) if "DTEND" in component else start + timedelta(hours=1)
    return Event(str(component.get("UID", "")), str(component.get("SUMMARY", "")), start, end,
                 str(component.get("LOCATION", "")))


@contextmanager
def _mapped(what: str) -> Iterator[None]:
    try:
        yield
    except (DAVError, RequestException, OSError) as exc:
        raise ToolFailed(f"{what}: {exc}") from exc


class Calendar:
    """One CalDAV calendar, found by display name (made if missing)."""

    def __init__(self, settings: CalendarSettings) -> None:
        if not settings.url or settings.password is None:
            raise ConfigError("calendar is not set up: set calendar.url, calendar.username and "
                              "calendar.password (see docs/mail.md)")
        self.settings = settings
        self._calendar: Any = None
        self._lock = asyncio.Lock()

    def _open(self) -> Any:  # caldav's objects are typed for sync and async at once
        if self._calendar is None:
            password = self.settings.password.get_secret_value() if self.settings.password else ""
            client: Any = DAVClient(url=self.settings.url, username=self.settings.username,
                                      password=password)
            principal = client.principal()
            named = [c for c in principal.calendars() if c.get_display_name() == self.settings.calendar]
            self._calendar = named[0] if named else principal.make_calendar(name=self.settings.calendar)
        return self._calendar

    async def _call(self, what: str, fn: Callable[[Any], T]) -> T:
        async with self._lock:
            with _mapped(what):
                return await asyncio.to_thread(lambda: fn(self._open()))

    async def events(self, start: datetime, end: datetime) -> list[Event]:
        def search(cal: Any) -> list[Event]:
            found = cal.search(start=start, end=end, event=True, expand=True)
            return sorted((_event(e.icalendar_component) for e in found), key=lambda e: e.start)

        return await self._call("cannot read the calendar", search)

    async def add(self, summary: str, start: datetime, end: datetime, location: str = "") -> Event:
        uid = f"{uuid.uuid4()}@os1"

        def save(cal: Any) -> None:
            cal.save_event(dtstart=start, dtend=end, summary=summary, uid=uid,
                           **({"location": location} if location else {}))

        await self._call("cannot add the event", save)
        return Event(uid, summary, start, end, location)

    async def get(self, uid: str) -> Event:
        return await self._call(f"no event {uid}",
                                lambda cal: _event(cal.event_by_uid(uid).icalendar_component))

    async def move(self, uid: str, start: datetime) -> Event:
        def move(cal: Any) -> Event:
            found = cal.event_by_uid(uid)
            component = found.icalendar_component
            old = _event(component)
            for name, value in (("DTSTART", start), ("DTEND", start + (old.end - old.start))):
                del component[name]
                component.add(name, value)
            found.save()
            return _event(component)

        return await self._call(f"cannot move event {uid}", move)

    async def import_plan(self, data: bytes) -> list[str]:
        """What importing an .ics file would do, one line per event: ``add: ...``, or
        ``change: ... (now ...)`` for an event the calendar already holds under that UID."""
        events = [_event(c) for c in read_ics(data)]

        def plan(cal: Any) -> list[str]:
            lines = []
            for new in events:
                try:
                    old = _event(cal.event_by_uid(new.uid).icalendar_component) if new.uid else None
                except DAVError:  # not found: the import adds it
                    old = None
                lines.append(f"change: {new.line()} (now {old.line()})" if old else f"add: {new.line()}")
            return lines

        return await self._call("cannot read the calendar", plan)

    async def import_ics(self, data: bytes) -> int:
        """Every VEVENT of an .ics file, saved as its own calendar object."""
        events = read_ics(data)

        def save(cal: Any) -> int:
            for component in events:
                wrapper = icalendar.Calendar()
                wrapper.add("prodid", "-//os1//EN")
                wrapper.add("version", "2.0")
                wrapper.add_component(component)
                cal.save_event(wrapper.to_ical().decode())
            return len(events)

        return await self._call("cannot import the events", save)


def read_ics(data: bytes) -> list[Any]:
    """The VEVENTs of an .ics file; anything that is not iCalendar is refused."""
    try:
        parsed = icalendar.Calendar.from_ical(data)
        events = list(parsed.walk("VEVENT"))
        for component in events:
            _event(component)  # each one readable before anything is written
    except (ValueError, KeyError, AttributeError) as exc:
        raise ToolInputError(f"not an iCalendar file: {exc}") from None
    return events
