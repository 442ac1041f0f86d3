"""Misheard and mistyped words at a game: an unknown word becomes the one known word a letter
away; a known word, a short one, a number or an unclear choice stays as said."""

from __future__ import annotations

from os1.games.cave import CaveGame
from os1.games.fitting import fit
from os1.games.table import Table

KNOWN = frozenset({"take", "lamp", "keys", "east", "west", "food", "bottle", "bird", "cage", "lame", "lamb"})


def test_an_unknown_word_one_letter_away_becomes_the_known_one() -> None:
    assert fit(["take", "ramp"], {"take", "lamp", "keys"}) == ["take", "lamp"]
    assert fit(["tkae", "keys"], {"take", "lamp", "keys"}) == ["tkae", "keys"]  # a swap is two edits
    assert fit(["bottel"], KNOWN) == ["bottel"]  # two edits away: left for the game to refuse


def test_known_short_and_numeric_words_stay() -> None:
    assert fit(["lame", "go", "ea", "42x", "n"], KNOWN) == ["lame", "go", "ea", "42x", "n"]


def test_a_tie_goes_to_the_thing_in_sight_or_nowhere() -> None:
    assert fit(["lamx"], KNOWN) == ["lamx"]  # lamp, lame and lamb: no clear choice
    assert fit(["lamx"], KNOWN, seen=["brass lamp"]) == ["lamp"]


async def test_the_cave_plays_a_misheard_move_and_says_how_it_took_it() -> None:
    table = Table(CaveGame(seed=11), None)
    await table.open(resume=False)
    for move in ("no", "east"):
        await table.play(move)
    turn = await table.play("Take the ramp.")
    assert turn.command == "take lamp" and turn.screen.fitted == "take lamp"
    assert turn.screen.text.strip() == "OK"
    assert "lamp" in table.screen.carried
    plain = await table.play("take keys")
    assert plain.command == "take keys" and plain.screen.fitted == ""
    assert table.game.save()["moves"][-2:] == ["take lamp", "take keys"]  # replayed as taken
