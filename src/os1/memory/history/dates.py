"""Times as people and exports write them, as Unix times."""

from __future__ import annotations

from datetime import datetime

from os1.errors import InputError


def parse_time(text: str) -> float:
    """An ISO 8601 date or date and time ("2026-11-03", "2026-11-03 09:30", "...T09:30+01:00"),
    or a Unix time, as a Unix time; a time without a zone is the machine's local time."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"not a time: {text[:60]!r} (write it like 2026-11-03 09:30)") from None
    return (when if when.tzinfo else when.astimezone()).timestamp()
