"""The ``compose`` tool through the real runtime: registered through the plugin hook, offered to
the model when tools are on, run by the guard on its own (READ), writing the piece into the
user's music folder."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from os1.agent.events import ToolActivity, TurnDone
from os1.config import load_settings
from os1.hookspecs import hookimpl
from os1.music.folder import music_folder
from os1.plugins import plugin_manager, plugin_tools, skill_tools
from os1.runtime import Runtime
from os1.testing import ScriptedLLM
from os1.tools.base import tool
from os1.types import ToolCall
from tests.share.test_sharing import share_both_seeds


@pytest.fixture
async def runtime(os1_home: Path) -> AsyncIterator[Runtime]:
    settings = load_settings(chat={"tools": "on"}, memory={"embedder": "hash"})
    opened = await Runtime.open(settings)
    yield opened
    await opened.close()


async def turn(runtime: Runtime, model: ScriptedLLM, text: str) -> list[object]:
    runtime._model = model
    companion = await runtime.companion()
    events = [e async for e in companion.respond(text)]
    await companion.drain()
    return events


def files_exist(data: dict[str, object], folder: Path) -> bool:
    return all(Path(str(data[n])).is_file() and Path(str(data[n])).parent == folder for n in ("midi", "wav"))


async def test_the_model_composes_a_piece_about_a_shared_film(runtime: Runtime) -> None:
    await share_both_seeds(runtime.store)
    model = ScriptedLLM(ToolCall("c1", "compose", {"about": "the film"}), "I wrote you something.")
    events = await turn(runtime, model, "Could you make up some music about that film we talked about?")
    assert "compose" in [spec.name for spec in model.history[0][1]]
    [activity] = [e for e in events if isinstance(e, ToolActivity)]
    assert 'I was thinking of the film "Her" you shared.' in activity.result
    assert isinstance(events[-1], TurnDone) and events[-1].reply == "I wrote you something."
    [piece] = await runtime.store.moments("piece")
    assert piece.item.provenance == "assistant" and piece.data["about"] is not None
    assert files_exist(piece.data, music_folder(runtime.settings))
    assert "thinking of the film" in model.history[1][0][-1].content  # the model read the result


async def test_nothing_to_compose_about_goes_back_to_the_model(runtime: Runtime) -> None:
    model = ScriptedLLM(ToolCall("c1", "compose", {"about": "the beach"}), "Show me something first.")
    events = await turn(runtime, model, "Compose something about the beach.")
    [activity] = [e for e in events if isinstance(e, ToolActivity)]
    assert activity.result.startswith("error: no shared moment matches")
    assert await runtime.store.moments("piece") == []


async def test_without_tools_the_model_is_not_offered_compose(os1_home: Path) -> None:
    opened = await Runtime.open(load_settings(chat={"tools": "off"}, memory={"embedder": "hash"}))
    try:
        model = ScriptedLLM("Hello.")
        await turn(opened, model, "hi")
        assert model.history[0][1] == []
    finally:
        await opened.close()


class RegisterOnly:
    """A plugin written against the hook's first form, which took only ``register``."""

    @hookimpl
    def register_tools(self, register: Callable[[Any], None]) -> None:
        async def wave() -> str:
            """Wave."""
            return "waved"

        register(tool(wave))


async def test_compose_comes_through_the_skill_hook_and_other_plugins_keep_theirs(runtime: Runtime) -> None:
    plugin = RegisterOnly()
    plugin_manager().register(plugin)
    try:
        skills, _ = skill_tools(runtime.settings, runtime.store)
        everyone = plugin_tools()
    finally:
        plugin_manager().unregister(plugin)
    assert [t.name for t in skills] == ["compose"]  # no mail or calendar account is set up
    assert "wave" in [t.name for t in everyone] and "compose" not in [t.name for t in everyone]
