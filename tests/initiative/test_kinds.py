"""The morning note (opt-in) and the check-in after a silence (off by default): planned by code,
held to the same rules as a follow-up, and handed over once."""

from __future__ import annotations

import sqlite3
import time as clock
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from os1.config import Settings
from os1.initiative.feed import enabled, last_said, refresh
from os1.initiative.keeping import PlanBook
from os1.initiative.morning import Agenda, note_text, plan_morning
from os1.initiative.rules import Rules
from os1.initiative.scheduler import Initiative
from os1.initiative.silence import plan_check_in
from os1.memory.sqlite import SQLiteMemory

LISBON = ZoneInfo("Europe/Lisbon")
DAY = date(2026, 3, 3)
EARLY = datetime(2026, 3, 3, 7, 0, tzinfo=LISBON)


def fresh(**rules: object) -> Initiative:
    return Initiative(PlanBook(None, LISBON), Rules(**rules))  # type: ignore[arg-type]


def test_the_morning_note_names_the_days_events_and_the_mail_to_answer() -> None:
    agenda = Agenda(events=((EARLY.replace(hour=9, minute=30), "Dentist"),),
                    awaiting=("Ana: Saturday's plans", "Paul: " + "long " * 40))
    text = note_text(agenda)
    assert text is not None and "09:30 Dentist" in text and "Ana: Saturday's plans" in text
    assert max(len(part) for part in text.split(";")) < 120  # a long subject is cut short
    assert note_text(Agenda()) is None  # an empty day: no note at all


def test_the_morning_note_is_planned_once_a_day_and_held_to_the_rules() -> None:
    initiative = fresh(quiet_hours="22:00-09:00")
    agenda = Agenda(events=((EARLY.replace(hour=12), "Lunch with Ana"),))
    plan = plan_morning(initiative, agenda, DAY, time(8, 30))
    assert plan is not None and plan.kind == "morning" and "morning note" in plan.reason
    assert plan_morning(initiative, agenda, DAY, time(8, 30)) is None  # once a day
    assert initiative.due(EARLY.replace(hour=8, minute=45)) == []  # quiet until nine
    (given,) = initiative.due(EARLY.replace(hour=9))
    assert given.id == plan.id and initiative.due(EARLY.replace(hour=9, minute=5)) == []


def test_a_morning_note_not_given_by_late_morning_lapses() -> None:
    initiative = fresh(quiet_hours="")
    plan_morning(initiative, Agenda(awaiting=("Ana: hello",)), DAY, time(8, 30))
    assert initiative.due(EARLY.replace(hour=14)) == []
    assert initiative.book.every()[0].status == "lapsed"


def test_a_check_in_comes_once_after_a_long_silence() -> None:
    initiative = fresh(quiet_hours="22:00-08:00")
    last = EARLY - timedelta(days=5)
    assert plan_check_in(initiative, last, EARLY, 0) is None  # off by default
    assert plan_check_in(initiative, last, EARLY, 7) is None  # not silent long enough
    plan = plan_check_in(initiative, last, EARLY, 3)
    assert plan is not None and plan.kind == "check_in" and plan.due_at.hour == 8  # after the quiet hours
    assert plan_check_in(initiative, last, EARLY + timedelta(days=1), 3) is None  # one per silence
    assert [p.id for p in initiative.due(EARLY.replace(hour=8))] == [plan.id]


def test_the_daily_cap_counts_every_kind() -> None:
    initiative = fresh(quiet_hours="", daily_cap=1)
    plan_morning(initiative, Agenda(awaiting=("Ana: hello",)), DAY, time(8, 30))
    plan_check_in(initiative, EARLY - timedelta(days=9), EARLY, 3)
    assert len(initiative.due(EARLY.replace(hour=9))) == 1
    assert initiative.due(EARLY.replace(hour=10)) == []


def test_a_proposal_is_claimed_once_even_by_two_books_on_one_file(tmp_path: Path) -> None:
    first, second = PlanBook(tmp_path / "i.sqlite3", LISBON), PlanBook(tmp_path / "i.sqlite3", LISBON)
    plan = first.add("How was it?", "because", None, frozenset({"it"}), EARLY, EARLY)
    assert first.claim(plan.id, EARLY) and not second.claim(plan.id, EARLY)


def test_a_book_from_before_the_kinds_gains_them(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE plans (id INTEGER PRIMARY KEY, text TEXT NOT NULL, reason TEXT NOT NULL,"
                   " source_id INTEGER, words TEXT NOT NULL, event_at REAL NOT NULL, due_at REAL NOT NULL,"
                   " status TEXT NOT NULL DEFAULT 'planned', delivered_at REAL)")
        db.execute("INSERT INTO plans (text, reason, words, event_at, due_at)"
                   " VALUES ('How was it?', 'r', '[]', 0, 0)")
    (plan,) = PlanBook(path, LISBON).plans()
    assert plan.kind == "follow_up"


async def test_refresh_plans_only_what_is_turned_on(store: SQLiteMemory) -> None:
    await store.add_utterance(None, "user", "The concert is tomorrow.", created_at=clock.time() - 10 * 86400)
    off = Settings(initiative={"follow_ups": False})  # type: ignore[arg-type]
    assert not enabled(off)
    initiative = fresh(quiet_hours="")
    await refresh(initiative, store, off, datetime.now(LISBON))
    assert initiative.book.every() == [] and last_said(initiative) is not None  # heard, not planned
    wanted = Settings(initiative={"follow_ups": False, "check_in_days": 7})  # type: ignore[arg-type]
    await refresh(initiative, store, wanted, datetime.now(LISBON))
    assert [p.kind for p in initiative.book.every()] == ["check_in"]
