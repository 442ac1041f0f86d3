"""Dates in prose: found by patterns (a day, a month, a year, a weekday, written out or in
digits) and read by dateparser into the parts the words actually give, so "3 June 2010",
"June 3rd" and "2010-06-03" compare equal where they overlap and a year the words never said is
not filled in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_MONTHS = ("January|February|March|April|June|July|August|September|October|November|December|"
           "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec")
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:1[6-9]\d\d|20\d\d)"
# "May" is also a verb: it counts as a month only beside a day or a year
_MONTH = rf"(?:(?:{_MONTHS})\.?|May(?=\s+{_DAY}\b|,?\s+(?:of\s+)?{_YEAR}\b))"
_MAY_AFTER_DAY = r"(?<=\d\s)May|(?<=\dst\s|\dnd\s|\drd\s|\dth\s)May|(?<=\bof\s)May"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DATE = re.compile(
    rf"\b(?:{_DAY}\s+(?:of\s+)?(?:{_MONTH}|{_MAY_AFTER_DAY})(?:,?\s+{_YEAR})?"
    rf"|{_MONTH}\s+{_DAY}\b(?:,?\s+{_YEAR})?"
    rf"|{_MONTH}(?:,?\s+(?:of\s+)?{_YEAR})?"
    rf"|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/(?:\d{{4}}|\d{{2}})"
    rf"|{_YEAR}|(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)s?)\b")
MONTH_NAMES = {m.lower() for m in _MONTHS.split("|")} | {"may"}


@dataclass(frozen=True)
class DateKey:
    """The parts of a date the words give; None where they say nothing."""

    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None

    def within(self, other: DateKey) -> bool:
        """Whether every part this date names is named alike by ``other``."""
        pairs = ((self.year, other.year), (self.month, other.month), (self.day, other.day),
                 (self.weekday, other.weekday))
        return all(mine is None or mine == theirs for mine, theirs in pairs)


@lru_cache(maxsize=1)
def _parser() -> Any:
    from dateparser.date import DateDataParser  # loads its language data once

    return DateDataParser(languages=["en"], settings={"PREFER_DAY_OF_MONTH": "first",
                                                      "DATE_ORDER": "DMY"})


def date_key(span: str) -> DateKey | None:
    """The parts of the date ``span`` names, or None if dateparser cannot read it."""
    plain = span.strip().rstrip("s") if span.lower().rstrip("s") in WEEKDAYS else span.strip()
    if plain.lower() in WEEKDAYS:
        return DateKey(weekday=WEEKDAYS.index(plain.lower()))
    if re.fullmatch(_YEAR, plain):
        return DateKey(year=int(plain))
    data = _parser().get_date_data(re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", plain))
    when = data.date_obj
    if when is None:
        return None
    has_year = re.search(rf"\b{_YEAR}\b|/\d{{2}}$", plain) is not None
    period = data.period or "day"
    return DateKey(when.year if has_year else None,
                   when.month if period in ("day", "month") else None,
                   when.day if period == "day" else None)


def find_dates(text: str) -> list[tuple[int, int, DateKey]]:
    """Every date ``text`` names: its span and its parts."""
    found = []
    for match in DATE.finditer(text):
        key = date_key(match.group(0))
        if key is not None:
            found.append((match.start(), match.end(), key))
    return found
