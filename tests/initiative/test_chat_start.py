"""The follow-ups that fell due while os1 was closed are shown as the chat starts, once."""

from __future__ import annotations

import time

from os1.cli.initiative_cmd import show_due
from os1.cli.state import CliState
from os1.config import Settings
from os1.memory.sqlite import SQLiteMemory


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
