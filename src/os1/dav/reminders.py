"""Reminders before events, outside quiet hours: a pure decision plus a loop that delivers."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime, time, timedelta
from pathlib import Path

from os1.dav.calendar import Calendar, Event, in_zone
from os1.errors import Os1Error
from os1.files import private_dir, write_private

log = logging.getLogger(__name__)


def told_path(user_dir: Path) -> Path:
    return user_dir / "reminded.json"


def quiet(now: datetime, span: str) -> bool:
    """Whether ``now`` falls inside a span like "22:00-08:00" (which may wrap midnight)."""
    if not span.strip():
        return False
    start_s, _, end_s = span.partition("-")
    start, end = time.fromisoformat(start_s.strip()), time.fromisoformat(end_s.strip())
    moment = now.time()
    return start <= moment < end if start <= end else moment >= start or moment < end


def quiet_end(now: datetime, span: str) -> datetime:
    """When the quiet span around ``now`` ends (today or tomorrow); ``now`` if it is not quiet."""
    if not quiet(now, span):
        return now
    end = time.fromisoformat(span.partition("-")[2].strip())
    ending = now.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    return ending if ending > now else ending + timedelta(days=1)


def due(events: Sequence[Event], now: datetime, lead: timedelta, quiet_hours: str,
        told: set[str]) -> list[str]:
    """Reminders to give now: events starting within ``lead`` not yet told, unless it is quiet."""
    if quiet(now, quiet_hours):
        return []
    out = []
    for event in events:
        if now <= event.start <= now + lead and key(event) not in told:
            told.add(key(event))
            minutes = max(1, round((event.start - now).total_seconds() / 60))
            out.append(f"You have {event.summary} in {minutes} minute{'s' if minutes != 1 else ''}.")
    return out


def key(event: Event) -> str:
    return f"{event.uid}@{event.start.isoformat()}"


class Told:
    """The reminders already given, in a file, so a reminder is given once however often
    ``os1 calendar remind`` runs (or the chat runs beside it); past events are forgotten."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> set[str]:
        try:
            return set(json.loads(self.path.read_text()))
        except (OSError, ValueError):
            return set()

    def save(self, told: set[str], now: datetime) -> None:
        keep = [k for k in told if datetime.fromisoformat(k.rpartition("@")[2]) >= now - timedelta(days=1)]
        private_dir(self.path.parent)
        write_private(self.path, json.dumps(sorted(keep)))


async def reminder_loop(calendar: Calendar, lead: timedelta, quiet_hours: str,
                        every_s: float = 60.0, stop: threading.Event | None = None,
                        told: Told | None = None) -> AsyncIterator[str]:
    """Yield reminders while os1 runs, checking the calendar every ``every_s`` seconds."""
    given: set[str] = told.load() if told else set()
    while stop is None or not stop.is_set():
        now = in_zone(datetime.now(), calendar.zone)
        if told:
            given |= await asyncio.to_thread(told.load)
        texts = due(await calendar.events(now, now + lead), now, lead, quiet_hours, given)
        if told and texts:
            await asyncio.to_thread(told.save, given, now)
        for text in texts:
            yield text
        await asyncio.sleep(every_s)


class ReminderThread:
    """Runs ``reminder_loop`` on its own event loop in a daemon thread, handing each reminder to
    ``say`` (the chat prints it between lines), so reminders come while os1 waits for input."""

    def __init__(self, calendar: Calendar, lead: timedelta, quiet_hours: str,
                 say: Callable[[str], None], every_s: float = 60.0, told: Told | None = None) -> None:
        self._stop = threading.Event()
        self._args = (calendar, lead, quiet_hours, every_s, self._stop, told)
        self._say = say
        self._thread = threading.Thread(target=self._run, name="os1-reminders", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        asyncio.run(self._deliver())

    async def _deliver(self) -> None:
        try:
            async for text in reminder_loop(*self._args):
                self._say(text)
        except Os1Error as exc:  # the calendar went away: reminders stop, the chat goes on
            log.warning("reminders stopped: %s", exc)
