"""The follow-ups that fell due while os1 was closed are shown as the chat starts, once; those
falling due while it is open are said between lines."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from os1.cli.initiative_cmd import hear_new, show_due
from os1.cli.initiative_live import InitiativeThread
from os1.cli.state import CliState
from os1.config import Settings
from os1.initiative.keeping import PlanBook, earliest_due, plans_path
from os1.initiative.plans import Plan
from os1.memory.embedding.hashing import HashEmbedder
from os1.memory.sqlite import SQLiteMemory, store_path


async def test_due_follow_ups_are_shown_once(store: SQLiteMemory) -> None:
    await store.set_profile({"quiet_hours": "", "time_zone": "Europe/Lisbon"})  # any hour is open
    said = await store.add_utterance(None, "user", "The concert is tomorrow.",
                                     created_at=time.time() - 3 * 86400)
    state = CliState(Settings(), None)
    (plan,) = await show_due(state, store)
    assert plan.source_id == said.id and "concert" in plan.text
    assert await show_due(state, store) == []
    off = CliState(Settings(initiative={"follow_ups": False}), None)  # type: ignore[arg-type]
    assert await show_due(off, store) == []


async def test_while_the_chat_is_open_a_due_proposal_is_said_between_lines(os1_home: Path) -> None:
    settings = Settings(home=os1_home, memory={"embedder": "hash"}, initiative={"desktop": False})  # type: ignore[arg-type]
    store = await SQLiteMemory.open(store_path(os1_home, settings.user), HashEmbedder())
    await store.set_profile({"quiet_hours": "", "time_zone": "Europe/Lisbon"})
    book = PlanBook(plans_path(store_path(os1_home, settings.user).parent), ZoneInfo("Europe/Lisbon"))
    past = datetime.now(ZoneInfo("Europe/Lisbon")) - timedelta(minutes=1)
    plan = book.add("How was the concert?", "you said so", None, frozenset({"concert"}), past, past)
    said: list[Plan] = []
    heard = threading.Event()

    def say(given: Plan) -> None:
        said.append(given)
        heard.set()

    live = InitiativeThread(settings, store.embedder, say)
    live.start()
    try:
        assert await asyncio.to_thread(heard.wait, 60), "nothing was said"
    finally:
        live.stop()
        await store.close()
    assert [p.id for p in said] == [plan.id] and book.get(plan.id).status == "delivered"  # type: ignore[union-attr]
    book.close()


async def test_a_turn_in_the_chat_is_heard_into_the_plan_book(store: SQLiteMemory, os1_home: Path) -> None:
    await store.add_utterance(None, "user", "My exam is on Friday.")
    await hear_new(CliState(Settings(home=os1_home), None), store)
    due = earliest_due(plans_path(store_path(os1_home, "default").parent))
    assert due is not None and due > time.time()  # the live thread sees it coming
