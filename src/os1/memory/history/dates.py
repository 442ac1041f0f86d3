"""Times as people and exports write them, as Unix times."""

from __future__ import annotations

from datetime import datetime

from os1.errors import InputError

LATEST = 253_402_300_799.0  # the last second of the year 9999: later times cannot be shown


def usable(at: float) -> bool:
    """Whether a Unix time can be stored and shown (from 1970 to the year 9999)."""
    return 0.0 <= at <= LATEST


def parse_time(text: str) -> float:
    """An ISO 8601 date or date and time ("2026-11-03", "2026-11-03 09:30", "...T09:30+01:00"),
    or a Unix time, as a Unix time; a time without a zone is the machine's local time."""
    text = text.strip()
    wrong = InputError(f"not a time: {text[:60]!r} (write it like 2026-11-03 09:30)")
    try:
        at = float(text)
    except ValueError:
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
            at = (when if when.tzinfo else when.astimezone()).timestamp()
        except (ValueError, OverflowError, OSError):
            raise wrong from None
    if not usable(at):  # nan, infinity, before 1970, after 9999
        raise wrong
    return at
