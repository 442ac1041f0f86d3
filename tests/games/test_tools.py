"""The game tools: offered through ``register_tools`` only while a game is open, and a move's
screen is outside content that taints the turn (the reply is stored as ``external``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from os1.agent.companion import Companion, TurnSettings
from os1.agent.persona import Persona
from os1.games.cave import CaveGame
from os1.games.table import Table
from os1.games.tools import SEAT, game_tools
from os1.memory.sqlite import SQLiteMemory
from os1.outside import Outside
from os1.plugins import plugin_tools
from os1.safety.guard import Guard
from os1.safety.ledger import ActionLedger
from os1.testing import ScriptedLLM
from os1.types import ToolCall


async def test_tools_are_offered_only_while_a_game_is_open() -> None:
    assert not [t for t in plugin_tools() if t.name.startswith("game_")]
    table = Table(CaveGame(seed=2), None)
    await table.open(resume=False)
    SEAT.table = table
    try:
        names = {t.name for t in plugin_tools()}
        assert {"game_state", "game_suggest", "game_move"} <= names
    finally:
        SEAT.table = None


async def test_a_move_returns_the_screen_as_outside_content() -> None:
    table = Table(CaveGame(seed=2), None)
    await table.open(resume=False)
    seat = type(SEAT)(table)
    tools = {t.name: t for t in game_tools(seat)}
    result = await tools["game_move"].fn(move="no")
    assert isinstance(result, Outside) and "ROAD" in result.plain()
    assert table.game.moves == ["no"]
    assert "road" in await tools["game_suggest"].fn()


async def test_a_turn_that_moved_in_the_game_is_tainted(store: SQLiteMemory, tmp_path: Path) -> None:
    table = Table(CaveGame(seed=2), None)
    await table.open(resume=False)
    await table.play("no")
    model = ScriptedLLM([ToolCall("g", "game_move", {"move": "east"})], "We're inside the building.")
    persona = Persona.from_profile({"user_name": "Theo", "os_name": "Samantha"})
    guard = Guard(ActionLedger(tmp_path / "actions.sqlite3"))
    companion = Companion(model, store, persona, TurnSettings(), game_tools(type(SEAT)(table)), guard)
    _ = [e async for e in companion.respond("go east for us")]
    await companion.drain()
    assert table.game.moves == ["no", "east"]
    replies = [m for m in await store.recent_utterances(5) if m.role == "assistant"]
    assert replies and replies[-1].provenance == "external"


async def test_a_plugin_game_is_played_through_the_hooks(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new game is a plugin: registered by name, it gets a table, the map and the co-player."""
    from typing import Any

    import click

    import os1.cli.main  # noqa: F401  (the CLI registers its commands, play among them)
    from os1.cli.play_cmd import play
    from os1.games.base import Place, Screen
    from os1.hookspecs import hookimpl
    from os1.plugins import game_factories, plugin_manager

    class Corridor:
        name, title = "corridor", "the corridor"

        def __init__(self) -> None:
            self.at = 0

        async def start(self) -> Screen:
            return Screen("Room 0.", Place("0", "room 0"), exits=("east",))

        async def act(self, command: str) -> Screen:
            self.at += command == "east"
            return Screen(f"Room {self.at}.", Place(str(self.at), f"room {self.at}"), exits=("east", "west"))

        def save(self) -> dict[str, Any]:
            return {"at": self.at}

        async def load(self, saved: dict[str, Any]) -> Screen:
            return await self.start()

        def describe(self) -> str:
            return f"room {self.at}"

        async def close(self) -> None:
            return None

    class Plugin:
        @hookimpl
        def register_games(self, register: Any) -> None:
            register("corridor", Corridor)

    plugin = Plugin()
    plugin_manager().register(plugin)
    try:
        assert "corridor" in game_factories() and "adventure" in game_factories()
        assert isinstance(play.get_command(click.Context(play), "corridor"), click.Command)
        table = Table(game_factories()["corridor"](), None)
        await table.open()
        turn = await table.take_turn()
        assert turn.command == "east" and table.atlas.name(table.atlas.here or "") == "room 1"
    finally:
        plugin_manager().unregister(plugin)
