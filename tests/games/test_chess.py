"""Chess against the real Stockfish: remarks grounded in its analysis, bad moves refused with
the board kept, the game kept as PGN in a moment and taken up again."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator

import chess
import pytest

from os1.errors import InputError
from os1.games.chessmatch import ChessMatch
from os1.games.chessplay import ChessTable
from os1.memory.sqlite import SQLiteMemory

HAVE_STOCKFISH = bool(shutil.which("stockfish") or shutil.which("stockfish", path="/usr/games"))
pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(not HAVE_STOCKFISH, reason="needs Debian's stockfish (scripts/test)")]


@pytest.fixture
async def match() -> AsyncIterator[ChessMatch]:
    game = ChessMatch(elo=1350, depth=8, move_time=0.01)
    await game.open()
    yield game
    await game.close()


async def test_a_blunder_is_named_with_the_engines_best_move(match: ChessMatch) -> None:
    # 1. e4 e5 2. Bc4 Nc6 3. Qh5 Nf6?? 4. Qxf7# is the test; set up the position directly
    match.board = chess.Board("r1bqkbnr/pppp1ppp/2n5/4p2Q/2B1P3/8/PPPP1PPP/RNB1K1NR w KQkq - 2 3")
    best, score = await match.best()
    assert match.board.san(best) == "Qxf7#" and score >= 90_000
    turn = await match.play("a3")  # lets the mate go
    assert turn.judged is not None and turn.judged.best == "Qxf7#" and turn.judged.band == "blunder"
    assert "Qxf7#" in turn.remark and "blunder" in turn.remark
    assert turn.reply is not None and match.users_turn


async def test_the_engines_choice_is_praised_as_such(match: ChessMatch) -> None:
    best, _ = await match.best()
    san = match.board.san(best)
    turn = await match.play(san)
    assert turn.remark.startswith(f"{san} is the engine's first choice")


async def test_bad_moves_are_one_line_and_the_board_is_kept(match: ChessMatch) -> None:
    fen = match.board.fen()
    for bad in ("Ke9", "e5", "", "xx" * 300, "e2e5", "\x00"):
        with pytest.raises(InputError):
            await match.play(bad)
    assert match.board.fen() == fen


async def test_strength_outside_stockfishs_range_is_refused() -> None:
    with pytest.raises(InputError, match="1350"):
        await ChessMatch(elo=800).open()


async def test_as_partner_os1_moves_for_the_user(match: ChessMatch) -> None:
    match.mode = "partner"
    san, why = await match.suggest()
    turn = await match.take_turn()
    assert turn.by == "os1" and turn.san == san and "engine's first choice" in why
    assert match.board.move_stack[0] == match.board.root().parse_san(san)


async def test_the_game_is_kept_as_pgn_and_taken_up(store: SQLiteMemory) -> None:
    table = ChessTable.new(store, elo=1350, depth=6, move_time=0.01)
    await table.open()
    await table.play("e4")
    await table.play("Nf3")
    await table.close()
    kept = (await store.moments("game"))[0]
    pgn = kept.data["save"]["pgn"]
    assert "1. e4" in pgn and "2. Nf3" in pgn and '[Black "Stockfish (1350)"]' in pgn
    assert kept.item.provenance == "shared" and "Stockfish at 1350 Elo" in kept.item.text

    again = ChessTable.new(store, depth=6, move_time=0.01)
    await again.open()
    try:
        assert len(again.match.board.move_stack) == 4 and "move 3" in again.welcome
    finally:
        await again.close()


def test_a_damaged_pgn_is_one_line() -> None:
    for bad in ({"pgn": 5}, {"pgn": "1. e4 e5 2. Ke3", "elo": 1500, "color": "white"},
                {"pgn": "1. e4", "elo": "hard", "color": "white"}):
        with pytest.raises(InputError, match="damaged"):
            ChessMatch().load(bad)


async def test_the_board_is_drawn_as_svg() -> None:
    table = ChessTable.new(None, elo=1350, depth=4, move_time=0.01)
    await table.open()
    try:
        await table.play("e4")
        svg = table.board_svg()
        assert svg.startswith("<svg") and "lastmove" in svg
    finally:
        await table.close()
