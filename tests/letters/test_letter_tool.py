"""The ``write_letter`` tool through the real runtime: a capable model drafts a letter when asked
in its own words; it is kept only when every detail is grounded in a memory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from os1.agent.events import ToolActivity
from os1.config import load_settings
from os1.runtime import Runtime
from os1.testing import ScriptedLLM
from os1.types import ToolCall

GROUNDED = ("Dear Ana,\n\nHappy birthday. I think of Lisbon and of you, and of how you taught me to "
            "swim when we were small. You have been the kindest sister, and I am grateful every "
            "day that you are mine.\n\nLove,\nTheo")


@pytest.fixture
async def runtime(os1_home: Path) -> AsyncIterator[Runtime]:
    settings = load_settings(chat={"tools": "on"}, memory={"embedder": "hash"})
    opened = await Runtime.open(settings)
    await opened.store.set_profile({"user_name": "Theo"})
    await opened.store.add_utterance(None, "user", "My sister Ana lives in Lisbon and taught me to swim.")
    yield opened
    await opened.close()


async def ask(runtime: Runtime, model: ScriptedLLM) -> str:
    runtime._model = model
    companion = await runtime.companion()
    events = [e async for e in companion.respond("Write my sister Ana something for her birthday.")]
    await companion.drain()
    [activity] = [e for e in events if isinstance(e, ToolActivity)]
    return activity.result


async def test_a_grounded_letter_is_kept(runtime: Runtime) -> None:
    call = ToolCall("w1", "write_letter", {"to": "Ana", "occasion": "her birthday"})
    result = await ask(runtime, ScriptedLLM(call, GROUNDED, "Here it is."))
    assert "Kept as letter 1" in result
    studio = runtime.letter_studio()
    [letter] = await studio.letters.find()
    await studio.letters.close()
    assert letter.brief.sender == "Theo" and letter.private and letter.latest.grounding.flagged == []


async def test_an_invented_detail_keeps_nothing(runtime: Runtime) -> None:
    call = ToolCall("w1", "write_letter", {"to": "Ana", "occasion": "her birthday"})
    result = await ask(runtime, ScriptedLLM(call, GROUNDED.replace("Lisbon", "Madrid"), "Here it is."))
    assert "Not kept" in result and "Madrid" in result
    studio = runtime.letter_studio()
    assert await studio.letters.find() == []
    await studio.letters.close()
