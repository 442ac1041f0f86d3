"""Colossal Cave through the real ``adventure`` engine, kept in a real store: sessions are
moments (exported, forgotten), taken up again next time, and bad saves are one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from os1.errors import InputError
from os1.games.cave import CaveGame
from os1.games.keeping import Keeper
from os1.games.table import Table
from os1.memory.portability import export_lines, import_export
from os1.memory.sqlite import SQLiteMemory
from os1.safety.taint import from_outside
from os1.testing import FakeEmbedder

OPENING = ["no", "east", "take lamp", "take keys", "west", "south", "south", "south"]


async def played(keeper: Keeper | None, moves: list[str] = OPENING) -> Table:
    table = Table(CaveGame(seed=11), keeper)
    await table.open(resume=False)
    for move in moves:
        await table.play(move)
    return table


async def test_the_map_follows_the_real_cave() -> None:
    table = await played(None)
    assert table.screen.place is not None and table.screen.place.name == "outside grate"
    assert table.atlas.where("lamp") == "We're carrying the lamp."
    assert "food" in table.atlas.things and table.atlas.name(table.atlas.things["food"]) == "building"
    assert table.ask("how do we get to the building?") == \
        "From outside grate to building: north, north, north, east."


async def test_os1_takes_a_turn_and_says_why() -> None:
    table = await played(None, ["no", "east"])
    turn = await table.take_turn()
    assert turn.by == "os1" and turn.command.startswith("take ") and turn.why
    taken = turn.command.split()[-1]
    assert table.atlas.things.get(taken) == "(carried)"


async def test_a_save_replays_to_the_same_game() -> None:
    first = await played(None)
    again = CaveGame()
    screen = await again.load(first.game.save())
    assert screen.place == first.screen.place and again.moves == first.game.moves
    assert again.describe() == first.game.describe()


@pytest.mark.parametrize("bad", [{}, {"seed": "x", "moves": []}, {"seed": 1, "moves": ["rm -rf /"]},
                                 {"seed": 1, "moves": "east"}, {"seed": True, "moves": []}])
async def test_a_damaged_save_is_one_line(bad: dict[str, object]) -> None:
    with pytest.raises(InputError, match="damaged"):
        await CaveGame().load(bad)


async def test_odd_input_is_refused_and_the_game_kept() -> None:
    table = await played(None)
    before = table.game.save()
    for bad in ("", "   ", "x" * 500, "\x00\x01", "!!!"):
        with pytest.raises(InputError):
            await table.play(bad)
    assert table.game.save() == before


async def test_sessions_are_moments_taken_up_next_time(store: SQLiteMemory, tmp_path: Path) -> None:
    table = await played(Keeper(store))
    await table.close()
    kept = await store.moments("game")
    assert len(kept) == 1
    memory = kept[0].item
    assert memory.provenance == "shared" and from_outside(memory)  # game text taints a turn
    assert "outside grate" in memory.text and "lamp" in memory.text

    again = Table(CaveGame(), Keeper(store))
    screen = await again.open()
    assert screen.place is not None and screen.place.name == "outside grate"
    assert "outside grate" in again.welcome and again.atlas.where("lamp") == "We're carrying the lamp."
    await again.play("north")
    await again.save()
    await again.save()  # saving again in one session replaces that session's save
    assert len(await store.moments("game")) == 2

    exported = [r for r in await export_lines(store, "me") if r.get("moment", {}).get("kind") == "game"]
    assert len(exported) == 2 and exported[0]["moment"]["data"]["save"]["moves"]
    elsewhere = await SQLiteMemory.open(tmp_path / "other.sqlite3", FakeEmbedder())
    try:  # an export taken to another store carries the saved game along
        await import_export(elsewhere, {}, exported)
        moved = Table(CaveGame(), Keeper(elsewhere))
        await moved.open()
        assert moved.screen.place is not None and moved.screen.place.name == "slit in streambed"
    finally:
        await elsewhere.close()

    for moment in await store.moments("game"):
        assert await store.forget(moment.id)
    fresh = Table(CaveGame(), Keeper(store))
    await fresh.open()
    assert fresh.welcome == "" and fresh.screen.place is None  # forgotten: a new game


async def test_a_damaged_kept_session_starts_anew_in_one_line(store: SQLiteMemory) -> None:
    keeper = Keeper(store)
    await keeper.save("adventure", "main", "a session", {"save": {"seed": 1, "moves": [5]}, "atlas": {}})
    table = Table(CaveGame(), keeper)
    screen = await table.open()
    assert "could not be used" in table.welcome and "damaged" in table.welcome
    assert "INSTRUCTIONS" in screen.text


async def test_an_ended_game_is_taken_up_as_a_new_one(store: SQLiteMemory) -> None:
    table = await played(Keeper(store), ["no", "quit", "yes"])
    assert table.screen.over
    await table.close()
    again = Table(CaveGame(), Keeper(store))
    screen = await again.open()
    assert "ended" in again.welcome and not screen.over and again.game.save()["moves"] == []
    assert "room:1" in again.atlas.places  # the map of the world was kept
