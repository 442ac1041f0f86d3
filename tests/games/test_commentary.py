"""Chess remarks come from the engine's numbers: the best move and what a move cost."""

from __future__ import annotations

from os1.games.commentary import Judged, comment, pawns


def test_bands_follow_the_loss() -> None:
    assert Judged("e4", "e4", 30, 30).band == "good"
    assert Judged("a3", "e4", 30, 10).band == "good"
    assert Judged("a3", "e4", 30, -40).band == "inaccuracy"
    assert Judged("Qh5", "e4", 30, -200).band == "mistake"
    assert Judged("Qxf7", "Nf3", 30, -900).band == "blunder"


def test_a_remark_names_the_engine_move_and_the_cost() -> None:
    said = comment(Judged("Qxf7", "Nf3", 30, -870))
    assert "blunder" in said and "Nf3" in said and "9.0 pawns" in said
    assert comment(Judged("e4", "e4", 30, 25)).startswith("e4 is the engine's first choice")
    assert pawns(100_000) == "a forced mate for us" and pawns(-35) == "-0.3"
