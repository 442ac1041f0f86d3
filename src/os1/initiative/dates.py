"""Dates in the user's words, read by dateparser in the user's own time zone.

dateparser finds and resolves the phrases ("on Saturday", "in two weeks", "tomorrow night");
this module only keeps the phrases that name a day (dateparser also reads "We" as Wednesday and
"may" as May) and rewrites the one phrase it lacks, the weekend, to the day that ends it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from dateparser.search import search_dates

# Words that show a found phrase names a day; a phrase without one (or a digit) is noise.
_DAY_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday today tonight tomorrow yesterday "
    "week weeks month months year years day days morning afternoon evening night noon midnight "
    "january february march april june july august september october november december".split())
_WEEKEND = re.compile(r"\b(this|next|the|on the|over the)?\s*weekend\b", re.IGNORECASE)
_SETTINGS: dict[str, Any] = {"PREFER_DATES_FROM": "future", "RETURN_AS_TIMEZONE_AWARE": False}


@dataclass(frozen=True)
class Found:
    """A phrase naming a day, and the local time it resolves to."""

    phrase: str
    at: datetime


def _weekend(match: re.Match[str]) -> str:
    return "next Sunday" if (match.group(1) or "").lower() == "next" else "on Sunday"


def _names_a_day(phrase: str) -> bool:
    words = re.findall(r"[a-z]+", phrase.lower())
    return any(ch.isdigit() for ch in phrase) or any(w in _DAY_WORDS for w in words)


def dates_in(text: str, now: datetime, zone: tzinfo) -> list[Found]:
    """The days named in ``text``, resolved from ``now`` (aware) in ``zone``, in reading order."""
    if not _names_a_day(text) and not _WEEKEND.search(text):
        return []  # nothing dateparser finds here could name a day: spare its time
    local = now.astimezone(zone)
    settings = dict(_SETTINGS, RELATIVE_BASE=local.replace(tzinfo=None))
    found = search_dates(_WEEKEND.sub(_weekend, text), languages=["en"], settings=settings) or []
    return [Found(phrase.strip(), at.replace(tzinfo=zone)) for phrase, at in found
            if _names_a_day(phrase)]
