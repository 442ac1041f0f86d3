"""CalDAV through the ``caldav`` library (blocking, so each call runs in a worker thread), plus
.ics import through ``icalendar``. Events come back as plain values, in the user's own time zone
(the profile's, else the machine's): an invitation at 10:00 UTC reads 05:00 in New York."""

from __future__ import annotations

import asyncio
import re
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, TypeVar

import icalendar
from caldav.davclient import DAVClient
from caldav.lib.error import DAVError
from requests.exceptions import RequestException

from os1.config import CalendarSettings
from os1.errors import ConfigError, ToolFailed, ToolInputError

T = TypeVar("T")
SHORT = 8  # characters of a UID shown as an event's id


@dataclass(frozen=True)
class Event:
    uid: str
    summary: str
    start: datetime
    end: datetime
    location: str = ""

    @property
    def short(self) -> str:
        """The first characters of the UID: enough to name the event (as a git commit)."""
        return self.uid[:SHORT]

    def line(self) -> str:
        where = f" at {self.location}" if self.location else ""
        return f"{self.start:%a %d %b %H:%M}–{self.end:%H:%M} {self.summary}{where} (id {self.short})"


def plural(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"


def pick(events: Sequence[Event], ref: str, at: datetime | None = None) -> Event:
    """The event ``ref`` names: its UID, the start of its UID (at least 4 characters), or its
    title (any case), narrowed by its start ``at`` when several share a title."""
    ref = ref.strip()
    found = [e for e in events if e.uid == ref]
    if not found and len(ref) >= 4:
        found = [e for e in events if e.uid.startswith(ref)]
    if not found:
        found = [e for e in events if e.summary.casefold() == ref.casefold()]
    if at is not None:
        found = [e for e in found if e.start == at]
    unique = list({e.uid: e for e in found}.values())
    if not unique:
        raise ToolInputError(f"no event {ref!r}{f' at {at:%Y-%m-%d %H:%M}' if at else ''} "
                             "(see `os1 calendar day`)")
    if len(unique) > 1:
        which = "; ".join(f"{e.short} {e.start:%Y-%m-%d %H:%M}" for e in unique[:5])
        raise ToolInputError(f"{len(unique)} events match {ref!r} ({which}): give the id, or the "
                             "title with its start (--at)")
    return unique[0]


def in_zone(value: datetime, zone: tzinfo | None) -> datetime:
    """``value`` in ``zone`` (None: the machine's own, with its daylight-saving rules); a naive
    value is taken as a time in that zone."""
    if value.tzinfo is None:
        return value.replace(tzinfo=zone) if zone else value.astimezone()
    return value.astimezone(zone) if zone else value.astimezone()


def when(text: str, zone: tzinfo | None = None) -> datetime:
    """An ISO date-time from the model or the user; without a zone it is the user's ``zone``."""
    try:
        value = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        raise ToolInputError(f"not a date and time: {text!r} (use e.g. 2030-05-01 14:30)") from None
    return value if value.tzinfo else in_zone(value, zone)


def _aware(value: datetime | date, zone: tzinfo | None) -> datetime:
    """In the user's zone; a floating time (no zone) or an all-day date is the user's own."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return in_zone(value, zone)


def _event(component: Any, zone: tzinfo | None = None) -> Event:
    start = _aware(component["DTSTART"].dt, zone)
    end = _aware(component["DTEND"].dt, zone) if "DTEND" in component else start + timedelta(hours=1)
    return Event(str(component.get("UID", "")), str(component.get("SUMMARY", "")), start, end,
                 str(component.get("LOCATION", "")))


_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")]+)")


def brief(exc: BaseException) -> str:
    """A library's error in a few words: the system's reason (e.g. "Connection refused") when
    one is buried in it, else its first line, cut short (urllib3 and caldav dump whole objects)."""
    text = str(exc)
    found = _ERRNO.search(text)
    if found:
        return found.group(1).strip()
    first = (text.strip().splitlines() or [type(exc).__name__])[0]
    return first if len(first) <= 160 else first[:157] + "..."


@contextmanager
def _mapped(what: str) -> Iterator[None]:
    try:
        yield
    except (DAVError, RequestException, OSError) as exc:
        raise ToolFailed(f"{what}: {brief(exc)}") from exc


class Calendar:
    """One CalDAV calendar, found by display name (made if missing)."""

    def __init__(self, settings: CalendarSettings, zone: tzinfo | None = None) -> None:
        if not settings.url or settings.password is None:
            raise ConfigError("calendar is not set up: set calendar.url, calendar.username and "
                              "calendar.password (see docs/mail.md)")
        self.settings = settings
        self.zone = zone  # what events are shown in (None: the machine's own)
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
            return sorted((_event(e.icalendar_component, self.zone) for e in found), key=lambda e: e.start)

        return await self._call("cannot read the calendar", search)

    async def add(self, summary: str, start: datetime, end: datetime, location: str = "") -> Event:
        uid = f"{uuid.uuid4()}@os1"

        def save(cal: Any) -> None:
            cal.save_event(dtstart=start, dtend=end, summary=summary, uid=uid,
                           **({"location": location} if location else {}))

        await self._call("cannot add the event", save)
        return Event(uid, summary, in_zone(start, self.zone), in_zone(end, self.zone), location)

    async def find(self, ref: str, at: datetime | None = None) -> Event:
        """An event by UID, UID prefix or title (see ``pick``), among all the calendar holds."""
        def every(cal: Any) -> list[Event]:
            return [_event(e.icalendar_component, self.zone) for e in cal.events()]

        return pick(await self._call("cannot read the calendar", every), ref, at)

    async def get(self, uid: str) -> Event:
        return await self._call(f"no event {uid}",
                                lambda cal: _event(cal.event_by_uid(uid).icalendar_component, self.zone))

    async def move(self, uid: str, start: datetime) -> Event:
        def move(cal: Any) -> Event:
            found = cal.event_by_uid(uid)
            component = found.icalendar_component
            old = _event(component, self.zone)
            for name, value in (("DTSTART", start), ("DTEND", start + (old.end - old.start))):
                del component[name]
                component.add(name, value)
            found.save()
            return _event(component, self.zone)

        return await self._call(f"cannot move event {uid}", move)

    async def import_plan(self, data: bytes) -> list[str]:
        """What importing an .ics file would do, one line per event: ``add: ...``, or
        ``change: ... (now ...)`` for an event the calendar already holds under that UID."""
        events = [_event(c, self.zone) for c in read_ics(data)]

        def plan(cal: Any) -> list[str]:
            lines = []
            for new in events:
                try:
                    old = (_event(cal.event_by_uid(new.uid).icalendar_component, self.zone)
                           if new.uid else None)
                except DAVError:  # not found: the import adds it
                    old = None
                lines.append(f"change: {new.line()} (now {old.line()})" if old else f"add: {new.line()}")
            return lines

        return await self._call("cannot read the calendar", plan)

    async def import_ics(self, data: bytes) -> int:
        """Every VEVENT of an .ics file, saved as its own calendar object; a failure part-way
        says how many were written."""
        events = read_ics(data)

        def save(cal: Any) -> int:
            for done, component in enumerate(events):
                wrapper = icalendar.Calendar()
                wrapper.add("prodid", "-//os1//EN")
                wrapper.add("version", "2.0")
                if "DTSTAMP" not in component:  # required (RFC 5545); many invitations lack it
                    component.add("dtstamp", datetime.now().astimezone())
                wrapper.add_component(component)
                try:
                    cal.save_event(wrapper.to_ical().decode())
                except (DAVError, RequestException, OSError) as exc:
                    raise ToolFailed(f"imported {done} of {plural(len(events), 'event')}; "
                                     f"{component.get('SUMMARY', '?')} failed: {brief(exc)}") from exc
            return len(events)

        return await self._call("cannot import the events", save)


def read_ics(data: bytes) -> list[Any]:
    """The VEVENTs of an .ics file; anything that is not iCalendar is refused in one line,
    before anything is written (the library's warnings are not the user's business)."""
    if b"\x00" in data or not data.lstrip(b"\xef\xbb\xbf \t\r\n").upper().startswith(b"BEGIN:VCALENDAR"):
        raise ToolInputError("not an iCalendar file (it does not start with BEGIN:VCALENDAR)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = icalendar.Calendar.from_ical(data)
            events = list(parsed.walk("VEVENT"))
            for component in events:
                _event(component)  # each one readable before anything is written
    except (ValueError, KeyError, AttributeError, TypeError) as exc:
        raise ToolInputError(f"not a valid iCalendar file: {brief(exc)}") from None
    return events
