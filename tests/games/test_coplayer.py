"""The co-player's judgement: light, useful things, untried ways, the nearest open place, back."""

from __future__ import annotations

from os1.games.atlas import Atlas
from os1.games.base import Place, Screen
from os1.games.coplayer import suggest
from os1.games.intents import read_line

A, B, C = Place("a", "hall"), Place("b", "study"), Place("c", "cellar")


def test_in_the_dark_with_the_lamp_it_lights_it() -> None:
    atlas = Atlas(things={"lamp": "(carried)"})
    idea = suggest(atlas, Screen("It is dark.", C, dark=True))
    assert idea.command == "light lamp" and "dark" in idea.why
    assert suggest(Atlas(), Screen("dark", C, dark=True)).command == "back"


def test_a_useful_thing_here_is_taken_first() -> None:
    idea = suggest(Atlas(), Screen("", A, things=("rug", "brass lantern"), exits=("north",)))
    assert idea.command == "take lantern" and "lantern" in idea.why


def test_an_untried_way_then_the_nearest_place_with_one() -> None:
    atlas = Atlas()
    atlas.observe(None, None, Screen("", A, exits=("north", "east")), 1)
    assert suggest(atlas, Screen("", A, exits=("north", "east"))).command == "north"
    atlas.observe("north", A, Screen("", B, exits=("south",)), 2)
    idea = suggest(atlas, Screen("", B, exits=("south",)))
    assert idea.command == "south"  # back to the hall, which still has east untried
    assert "hall" in idea.why and "1 move" in idea.why


def test_with_nothing_left_it_goes_back_the_way_it_came() -> None:
    atlas = Atlas()
    atlas.observe(None, None, Screen("", A), 1)
    atlas.observe("east", A, Screen("", B), 2)
    assert suggest(atlas, Screen("", B)).command == "west"


def test_lines_for_os1_are_told_from_moves() -> None:
    assert read_line("?").intent == "suggest"
    assert read_line("What should we do now?").intent == "suggest"
    assert read_line("you go").intent == "take_turn"
    assert read_line("Your turn!").intent == "take_turn"
    assert read_line("where is the lamp?").intent == "ask"
    assert read_line("how do we get to the building").intent == "ask"
    assert read_line("map").intent == "map"
    assert read_line("quit").intent == "quit"
    assert read_line("take lamp").intent == "move"
    assert read_line("go north").intent == "move"
    said = read_line("/say what a strange cave")
    assert said.intent == "chat" and said.text == "what a strange cave"
    assert read_line("os1, do you like this place?").intent == "chat"
