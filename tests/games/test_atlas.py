"""The map os1 keeps: built from screens, asked plain questions, saved and checked."""

from __future__ import annotations

import pytest

from os1.errors import InputError
from os1.games.atlas import CARRIED, Atlas, way
from os1.games.base import Place, Screen

ROAD, HOUSE, VALLEY = Place("r", "end of road"), Place("h", "building"), Place("v", "valley")


def walk() -> Atlas:
    atlas = Atlas()
    atlas.observe(None, None, Screen("road", ROAD, exits=("east", "south")), 1.0)
    atlas.observe("e", ROAD, Screen("house", HOUSE, things=("lamp", "keys")), 2.0)
    atlas.observe("take lamp", HOUSE, Screen("ok", HOUSE, things=("keys",), carried=("lamp",),
                                             extra={"inventory_known": True}), 3.0)
    atlas.observe("w", HOUSE, Screen("road", ROAD, carried=("lamp",)), 4.0)
    atlas.observe("south", ROAD, Screen("valley", VALLEY, carried=("lamp",)), 5.0)
    return atlas


def test_exits_are_learned_from_moves_with_directions_spelled_out() -> None:
    atlas = walk()
    assert atlas.exits == {"r": {"east": "h", "south": "v"}, "h": {"west": "r"}}
    assert way("N") == "north" and way("go up") == "up"
    assert atlas.here == "v"
    assert atlas.places["r"]["visits"] == 2 and atlas.places["r"]["first"] == 1.0


def test_things_are_where_they_were_last_seen() -> None:
    atlas = walk()
    assert atlas.things == {"lamp": CARRIED, "keys": "h"}
    assert atlas.where("lamp") == "We're carrying the lamp."
    assert "building" in atlas.where("the keys")
    assert "haven't seen" in atlas.where("sword")


def test_a_thing_gone_from_its_place_is_forgotten_there() -> None:
    atlas = walk()
    atlas.observe("e", ROAD, Screen("house", HOUSE, things=()), 6.0)
    assert "keys" not in atlas.things


def test_routes_use_known_exits_then_compass_returns() -> None:
    atlas = walk()
    assert atlas.route("h", "v") == ["west", "south"]
    assert atlas.route("v", "h") == ["north", "east"]  # never walked, but south has a north back
    assert atlas.answer("how do we get from the building to the valley?") == \
        "From building to valley: west, south."
    assert atlas.answer("How do we get to the building?") == "From valley to building: north, east."
    assert atlas.answer("where is the lamp?") == "We're carrying the lamp."
    assert atlas.answer("open the door") is None


def test_untried_ways_and_blocked_moves() -> None:
    atlas = walk()
    assert atlas.untried("r", ("east", "south", "north")) == ["north"]
    atlas.observe("north", ROAD, Screen("You can't go that way.", ROAD), 7.0)
    assert "north" in atlas.tried["r"]


def test_saved_map_round_trips_and_damage_is_one_error() -> None:
    atlas = walk()
    again = Atlas.from_dict(atlas.to_dict())
    assert again == atlas
    for bad in ({"places": {"r": {"name": "x"}}}, {"places": [1, 2]}, {"exits": {"r": 5}}, "nope"):
        with pytest.raises(InputError, match="damaged"):
            Atlas.from_dict(bad)
