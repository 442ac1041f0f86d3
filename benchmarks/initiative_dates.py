"""Reading days from casual words: dateparser (what os1 uses) against parsedatetime and
dateutil's fuzzy parser, on twenty sentences said on Monday 2026-03-02 at 19:10 in Lisbon.
parsedatetime is not a dependency: install it apart to compare (it is skipped without it).

    python benchmarks/initiative_dates.py
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from dateutil import parser as du  # type: ignore[import-untyped]

from os1.initiative.dates import dates_in

Z = ZoneInfo("Europe/Lisbon")
BASE = datetime(2026, 3, 2, 19, 10)  # a Monday
SENTENCES = [  # what was said, and the day it means ("next Friday" on a Monday: that week's)
    ("Ana's wedding is on Saturday.", '2026-03-07'),
    ('I have a job interview next Friday.', '2026-03-06'),
    ('My exam is in two weeks.', '2026-03-16'),
    ('Going to a concert tomorrow night!', '2026-03-03'),
    ('My driving test is on the 14th.', '2026-03-14'),
    ('I have a big presentation tomorrow.', '2026-03-03'),
    ("Tom's farewell party is this Friday.", '2026-03-06'),
    ('The gig is on March 12.', '2026-03-12'),
    ('My birthday is on 12 April.', '2026-04-12'),
    ("I'm running the marathon in 3 days!", '2026-03-05'),
    ('The recital is on the 3rd of April.', '2026-04-03'),
    ('The call is at 3pm tomorrow.', '2026-03-03'),
    ('The concert is tonight.', '2026-03-02'),
    ("We're going on a hike this weekend.", '2026-03-08'),
    ('The job fair is in ten days.', '2026-03-12'),
    ('My MRI is on Thursday.', '2026-03-05'),
    ('Her flight is on Wednesday the 11th.', '2026-03-11'),
    ('We may go to the zoo on Sunday.', '2026-03-08'),
    ('The board meeting is next week.', '2026-03-09'),
    ('Dinner with Sara is on Friday evening.', '2026-03-06'),
]


def by_dateparser(text: str) -> str | None:
    found = dates_in(text, BASE.replace(tzinfo=Z), Z)
    return max(f.at for f in found).date().isoformat() if found else None


def by_dateutil(text: str) -> str | None:
    try:
        return str(du.parse(text, fuzzy=True, default=BASE).date().isoformat())
    except (ValueError, OverflowError):
        return None


def parsers() -> list[tuple[str, Callable[[str], str | None]]]:
    out: list[tuple[str, Callable[[str], str | None]]] = [("dateparser", by_dateparser)]
    try:
        import parsedatetime  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        pass
    else:
        calendar = parsedatetime.Calendar()

        def by_parsedatetime(text: str) -> str | None:
            found = calendar.nlp(text, sourceTime=BASE)
            return max(f[0] for f in found).date().isoformat() if found else None

        out.append(("parsedatetime", by_parsedatetime))
    return [*out, ("dateutil fuzzy", by_dateutil)]


def main() -> None:
    for name, read in parsers():
        start = time.perf_counter()
        got = [read(text) for text, _ in SENTENCES]
        per = (time.perf_counter() - start) * 1000 / len(SENTENCES)
        wrong = [text for found, (text, want) in zip(got, SENTENCES, strict=True) if found != want]
        print(f"{name}: {len(SENTENCES) - len(wrong)}/{len(SENTENCES)} right, {per:.1f} ms a sentence;"
              f" wrong: {wrong}")


if __name__ == "__main__":
    main()
