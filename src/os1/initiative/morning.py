"""The morning note (opt-in, ``initiative.morning_note``): the day's calendar and the mail that
needs a reply, planned once a day at ``initiative.morning_hour`` and held to the same rules as a
follow-up (quiet hours, the daily cap, snooze, cancel).

The note is written by code from the calendar's and the mail index's fields, never by a model;
a sender's name and a subject are shown as data, cut short."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from os1.config import Settings
from os1.errors import Os1Error
from os1.initiative.plans import Plan
from os1.initiative.scheduler import Initiative

log = logging.getLogger(__name__)
MAX_ITEMS = 5  # events and mails named in one note; more are counted
MAX_LABEL = 60  # characters of a summary or subject


@dataclass(frozen=True)
class Agenda:
    """What the day holds: its events (start, summary) and the mail waiting for a reply."""

    events: tuple[tuple[datetime, str], ...] = ()
    awaiting: tuple[str, ...] = ()


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_LABEL else text[:MAX_LABEL - 1] + "\u2026"


def _listed(items: Sequence[str]) -> str:
    shown = "; ".join(items[:MAX_ITEMS])
    return shown + (f"; and {len(items) - MAX_ITEMS} more" if len(items) > MAX_ITEMS else "")


def note_text(agenda: Agenda) -> str | None:
    """The note's words, or None when the day holds nothing to tell."""
    parts = []
    if agenda.events:
        parts.append("Today: " + _listed([f"{at:%H:%M} {_short(what)}" for at, what in agenda.events]) + ".")
    if agenda.awaiting:
        parts.append("Waiting for your reply: " + _listed([_short(m) for m in agenda.awaiting]) + ".")
    return " ".join(["Good morning.", *parts]) if parts else None


def _key(day: date) -> str:
    return f"morning:{day.isoformat()}"


def considered(initiative: Initiative, day: date) -> bool:
    """Whether the note for ``day`` was already planned (or found to have nothing to tell)."""
    return bool(initiative.book.state(_key(day)))


def plan_morning(initiative: Initiative, agenda: Agenda, day: date, hour: time) -> Plan | None:
    """Plan the note for ``day`` (once a day, even when there was nothing to tell)."""
    if considered(initiative, day):
        return None
    initiative.book.set_state(_key(day), "planned")
    text = note_text(agenda)
    if text is None:
        return None
    at = datetime.combine(day, hour, tzinfo=initiative.book.zone)
    reason = (f"Your morning note for {day:%A %Y-%m-%d} (initiative.morning_note): "
              f"{len(agenda.events)} events on your calendar, "
              f"{len(agenda.awaiting)} mails waiting for a reply.")
    return initiative.book.add(text, reason, None, frozenset(), at, at, kind="morning")


async def gather(settings: Settings, day: date, zone_now: datetime) -> Agenda:
    """The day's events from the calendar and the mail needing a reply from the mail index, for
    whichever of them is set up; one that fails is logged and left out."""
    return Agenda(events=await _events(settings, day, zone_now), awaiting=_awaiting(settings))


async def _events(settings: Settings, day: date, zone_now: datetime) -> tuple[tuple[datetime, str], ...]:
    if not settings.calendar.url:
        return ()
    from os1.dav.calendar import Calendar

    start = datetime.combine(day, time(0), tzinfo=zone_now.tzinfo)
    try:
        found = await Calendar(settings.calendar).events(start, start + timedelta(days=1))
    except Os1Error as exc:
        log.warning("morning note: no calendar (%s)", exc)
        return ()
    return tuple((e.start.astimezone(zone_now.tzinfo), e.summary) for e in found)


def _awaiting(settings: Settings) -> tuple[str, ...]:
    if not settings.mail.imap_host:
        return ()
    from os1.mail.index import MailIndex
    from os1.mail.service import MailService, index_path

    service = MailService(settings.mail, MailIndex(index_path(settings.home, settings.user)))
    try:
        return tuple(f"{m.from_name or m.from_addr}: {m.subject}" for m in service.triage().needs_reply)
    finally:
        service.index.db.close()
