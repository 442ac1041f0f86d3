"""Follow-ups planned from the user's words and held back by rules that are code."""

from __future__ import annotations

import asyncio
import stat
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from os1.initiative.dates import dates_in
from os1.initiative.feed import HEARD, catch_up, due_now
from os1.initiative.keeping import PlanBook
from os1.initiative.plans import Plan
from os1.initiative.rules import Rules
from os1.initiative.scheduler import Initiative
from os1.memory.sqlite import SQLiteMemory
from os1.memory.store.memory import Memory
from tests.memory import conftest as backends

LISBON = ZoneInfo("Europe/Lisbon")
MONDAY = datetime(2026, 3, 2, 19, 10, tzinfo=LISBON)

open_store, memory = backends.open_store, backends.memory  # on both backends


def fresh(rules: Rules | None = None, path: Path | None = None) -> Initiative:
    return Initiative(PlanBook(path, LISBON), rules or Rules())


def test_a_day_is_read_in_the_users_zone() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    late = datetime(2026, 3, 2, 14, 30, tzinfo=ZoneInfo("UTC"))  # 23:30 in Tokyo
    (found,) = dates_in("The flight is tomorrow.", late, tokyo)
    assert found.at.date().isoformat() == "2026-03-03" and found.at.tzinfo is tokyo


def test_noise_is_not_a_day() -> None:
    assert dates_in("We may go, I love pizza.", MONDAY, LISBON) == []


def test_a_plan_keeps_its_reason_and_source() -> None:
    (plan,) = fresh().hear("Ana's wedding is on Saturday.", MONDAY, source_id=41)
    assert plan.source_id == 41 and "wedding" in plan.text.lower()
    assert "Ana's wedding is on Saturday." in plan.reason and "2026-03-07" in plan.reason
    assert plan.due_at == datetime(2026, 3, 8, 10, 0, tzinfo=LISBON)


def test_one_follow_up_per_event_and_a_move_moves_it() -> None:
    initiative = fresh()
    initiative.hear("My job interview is on Tuesday.", MONDAY)
    initiative.hear("I'm nervous, my job interview is on Tuesday.", MONDAY + timedelta(hours=1))
    initiative.hear("They moved the interview to Friday.", MONDAY + timedelta(hours=2))
    (plan,) = initiative.book.plans()
    assert plan.event_at.date().isoformat() == "2026-03-06"


def test_cancelled_and_unwanted_events_are_never_asked() -> None:
    initiative = fresh()
    initiative.hear("The dentist is on Tuesday. The concert is on Friday.", MONDAY)
    initiative.hear("The dentist appointment is cancelled.", MONDAY + timedelta(hours=1))
    initiative.hear("Don't remind me about the concert.", MONDAY + timedelta(hours=2))
    initiative.hear("The concert is on Friday, remember?", MONDAY + timedelta(hours=3))
    assert initiative.book.plans() == []
    assert {p.status for p in initiative.book.every()} == {"cancelled", "dropped"}


def test_quiet_hours_hold_a_follow_up_until_they_end() -> None:
    initiative = fresh(Rules(quiet_hours="22:00-11:00"))
    initiative.hear("The concert is tomorrow.", MONDAY)
    morning = datetime(2026, 3, 4, 10, 0, tzinfo=LISBON)
    assert initiative.due(morning) == []
    assert initiative.next_wake(morning) == morning.replace(hour=11)
    assert len(initiative.due(morning.replace(hour=11))) == 1


def test_the_daily_cap_moves_the_rest_to_the_next_day() -> None:
    initiative = fresh(Rules(daily_cap=2))
    initiative.hear("Tomorrow I have a haircut. I have a job interview tomorrow too. "
                    "My brother's graduation is tomorrow.", MONDAY)
    morning = datetime(2026, 3, 4, 10, 0, tzinfo=LISBON)
    assert len(initiative.due(morning)) == 2
    assert initiative.due(morning + timedelta(hours=1)) == []
    wake = initiative.next_wake(morning + timedelta(hours=1))
    assert wake == datetime(2026, 3, 5, 8, 0, tzinfo=LISBON)
    assert len(initiative.due(wake)) == 1


def test_snooze_and_cancel() -> None:
    initiative = fresh()
    first, second = (initiative.hear(text, MONDAY)[0] for text in
                     ("The gig is on Thursday.", "My sister's recital is on Thursday."))
    later = datetime(2026, 3, 7, 9, 0, tzinfo=LISBON)
    assert initiative.snooze(first.id, later) and initiative.cancel(second.id, MONDAY)
    assert not initiative.cancel(second.id, MONDAY)  # only a planned one can be cancelled
    assert initiative.due(datetime(2026, 3, 6, 12, 0, tzinfo=LISBON)) == []
    assert [p.id for p in initiative.due(later)] == [first.id]


def test_plans_outlive_the_process_in_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / "users" / "me" / "initiative.sqlite3"
    first = fresh(path=path)
    first.hear("Ana's wedding is on Saturday.", MONDAY, source_id=7)
    first.book.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    (plan,) = fresh(path=path).book.plans()
    assert plan.source_id == 7


class SimulatedClock:
    """A clock that jumps to each wake-up and ends the run past ``end``."""

    def __init__(self, start: datetime, end: datetime) -> None:
        self.at, self.end = start, end

    def now(self) -> datetime:
        return self.at

    async def sleep_until(self, when: datetime) -> None:
        if when > self.end:
            raise asyncio.CancelledError
        self.at = when


async def test_run_delivers_on_an_injected_clock() -> None:
    initiative = fresh(Rules(hour=time(9, 30)))
    initiative.hear("My dad's surgery is on Thursday.", MONDAY)
    delivered: list[tuple[datetime, Plan]] = []
    clock = SimulatedClock(MONDAY, MONDAY + timedelta(days=10))

    async def deliver(plan: Plan) -> None:
        delivered.append((clock.now(), plan))

    with pytest.raises(asyncio.CancelledError):
        await initiative.run(clock, deliver)
    assert [(at, p.text) for at, p in delivered] == [
        (datetime(2026, 3, 6, 9, 30, tzinfo=LISBON), "How was your dad's surgery?")]


async def test_the_store_feeds_it_and_a_forgotten_memory_is_never_asked(store: SQLiteMemory) -> None:
    initiative = fresh()
    kept = await store.add_utterance(None, "user", "Ana's wedding is on Saturday.",
                                     created_at=MONDAY.timestamp())
    gone = await store.add_utterance(None, "user", "My exam is on Friday.", created_at=MONDAY.timestamp())
    await store.add_utterance(None, "assistant", "The party is on Sunday!", created_at=MONDAY.timestamp())
    assert await catch_up(initiative, store) == 2
    assert await catch_up(initiative, store) == 0  # each utterance is heard once
    assert int(initiative.book.state(HEARD)) >= gone.id
    await store.forget(gone.id)
    later = datetime(2026, 3, 9, 12, 0, tzinfo=LISBON)
    assert [p.source_id for p in await due_now(initiative, store, later)] == [kept.id]


async def test_a_private_memory_is_never_asked_about(memory: Memory) -> None:
    """On both backends: a private saying is not heard, and a plan heard before it was made
    private is dropped before it is due, and stays dropped once shared again."""
    initiative = fresh()
    early = await memory.add_utterance(None, "user", "Ana's wedding is on Saturday.",
                                       created_at=MONDAY.timestamp())
    await memory.add_utterance(None, "user", "My exam is on Friday.", created_at=MONDAY.timestamp())
    assert await catch_up(initiative, memory) == 2
    assert len(initiative.book.plans()) == 2
    await memory.keep_private([early.id])
    secret = await memory.add_utterance(None, "user", "My biopsy is on Thursday.",
                                        created_at=MONDAY.timestamp())
    await memory.keep_private([secret.id])
    assert await catch_up(initiative, memory) == 1  # read, but never heard
    assert [p.text for p in initiative.book.plans()] == ["How was your exam?"]
    await memory.keep_private([early.id], private=False)
    later = datetime(2026, 3, 9, 12, 0, tzinfo=LISBON)
    assert [p.text for p in await due_now(initiative, memory, later)] == ["How was your exam?"]


def test_two_days_joined_by_and_are_two_events() -> None:
    initiative = fresh()
    initiative.hear("I have a vet appointment for Milo on Wednesday and a dinner with Sara on Friday.",
                    MONDAY)
    initiative.hear("Dinner with Sara is off.", MONDAY + timedelta(hours=1))
    (plan,) = initiative.book.plans()
    assert "vet" in plan.text and plan.event_at.date().isoformat() == "2026-03-04"


def test_huge_or_binary_words_plan_nothing_and_pass_quickly() -> None:
    initiative = fresh()
    assert initiative.hear("x" * 100_000 + " on Friday", MONDAY) == []
    assert initiative.hear("\x00\xff\ufffd" * 2000, MONDAY) == []
    assert initiative.hear("", MONDAY) == []
