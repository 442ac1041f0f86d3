"""The rules that hold a proposal back, as code: quiet hours, a daily cap, snoozing, one
follow-up per event, and topics the user asked not to hear of again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from os1.dav.reminders import quiet, quiet_end

# Two words in common make a mention the same event as a plan (or a blocked topic); one is
# enough when either side is named by a single word.
SAME_EVENT_WORDS = 2
MORNING_LAPSE = timedelta(hours=3)  # a morning note not given by then is not given that day


@dataclass(frozen=True)
class Rules:
    """The user's limits: quiet hours ("22:00-08:00", empty for none), proposals per day, the
    hour a follow-up is asked, and how long a missed one stays worth asking."""

    quiet_hours: str = "22:00-08:00"
    daily_cap: int = 3
    hour: time = time(10, 0)
    lapse: timedelta = timedelta(days=7)


def same_event(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two sets of key words name the same event."""
    shared = len(a & b)
    return shared >= SAME_EVENT_WORDS or (shared >= 1 and min(len(a), len(b)) <= 2)


def lapse_of(kind: str, rules: Rules) -> timedelta:
    """How long past due a proposal of ``kind`` is still worth making."""
    return MORNING_LAPSE if kind == "morning" else rules.lapse


def is_quiet(now: datetime, rules: Rules) -> bool:
    return quiet(now, rules.quiet_hours)


def next_open(now: datetime, rules: Rules) -> datetime:
    """``now`` or, inside quiet hours, the moment they end."""
    return quiet_end(now, rules.quiet_hours)


def day_start(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def room_today(delivered_today: int, rules: Rules) -> int:
    """How many more proposals today's cap allows."""
    return max(0, rules.daily_cap - delivered_today)


def after_cap(now: datetime, rules: Rules) -> datetime:
    """The first open moment of the next local day, for when today's cap is spent."""
    tomorrow = day_start(now) + timedelta(days=1)
    return next_open(tomorrow.replace(tzinfo=now.tzinfo), rules)
