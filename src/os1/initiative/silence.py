"""The check-in after a long silence (off by default; ``initiative.check_in_days``): when the
user has not said anything for that many days, os1 asks how they are, once per silence, under
the same rules as a follow-up."""

from __future__ import annotations

from datetime import datetime, timedelta

from os1.initiative.plans import Plan
from os1.initiative.rules import next_open
from os1.initiative.scheduler import Initiative

LAST = "check_in_after"  # the last words' time a check-in was already planned for
TEXT = "It's been a while since we talked. How are you?"


def plan_check_in(initiative: Initiative, last_heard: datetime | None, now: datetime,
                  days: int) -> Plan | None:
    """Plan a check-in when the user's last words (``last_heard``) are ``days`` old or more."""
    if days <= 0 or last_heard is None or now - last_heard < timedelta(days=days):
        return None
    stamp = f"{last_heard.timestamp():.0f}"
    if initiative.book.state(LAST) == stamp:  # one check-in per silence
        return None
    initiative.book.set_state(LAST, stamp)
    at = next_open(now.astimezone(initiative.book.zone), initiative.rules)
    reason = (f"You last talked with me on {last_heard.astimezone(initiative.book.zone):%A %Y-%m-%d}, "
              f"{(now - last_heard).days} days ago (initiative.check_in_days = {days}).")
    return initiative.book.add(TEXT, reason, None, frozenset(), at, at, kind="check_in")
