"""A chess table: the match, and keeping it (one moment per session, its PGN in the data)."""

from __future__ import annotations

from typing import Any

import chess

from os1.errors import InputError
from os1.games.chessmatch import ChessMatch, ChessTurn
from os1.games.keeping import Keeper
from os1.memory.roles import CompanionMemory


class ChessTable:
    def __init__(self, match: ChessMatch, keeper: Keeper | None) -> None:
        self.match = match
        self.keeper = keeper
        self.welcome = ""
        self.moved = False
        self.resigned = False

    @classmethod
    def new(cls, store: CompanionMemory | None, *, elo: int = 1500, white: bool = True,
            partner: bool = False, session: str = "", **options: Any) -> ChessTable:
        match = ChessMatch(elo=elo, color=chess.WHITE if white else chess.BLACK,
                           mode="partner" if partner else "opponent", **options)
        return cls(match, Keeper(store, session=session) if store is not None else None)

    async def open(self, *, resume: bool = True) -> None:
        """Start the engines; take up the last unfinished game unless told not to."""
        kept = await self.keeper.latest("chess", "main") if (self.keeper and resume) else None
        if kept is not None:
            try:
                candidate = ChessMatch()
                candidate.load(dict(kept.data.get("save", {})))
            except InputError as exc:
                self.welcome = f"The saved game could not be used ({exc}); a new one then."
            else:
                if not candidate.over and not kept.data.get("resigned"):
                    candidate.depth, candidate.move_time = self.match.depth, self.match.move_time
                    self.match = candidate
                    if self.keeper is not None:  # this session continues that one
                        self.keeper.last_id = kept.id
                    self.welcome = (f"Welcome back: our game against Stockfish {candidate.elo} is at move "
                                    f"{candidate.board.fullmove_number}.")
        await self.match.open()

    async def play(self, text: str) -> ChessTurn:
        turn = await self.match.play(text)
        self.moved = True
        return turn

    async def take_turn(self) -> ChessTurn:
        turn = await self.match.take_turn()
        self.moved = True
        return turn

    def board_svg(self, size: int = 360) -> str:
        """The board as SVG (python-chess draws it), the last move marked: for a web page or a file."""
        import chess.svg

        board = self.match.board
        last = board.move_stack[-1] if board.move_stack else None
        return str(chess.svg.board(board, orientation=self.match.color, lastmove=last, size=size))

    def board_text(self) -> str:
        return self.match.board.unicode(orientation=self.match.color, empty_square="·")

    async def save(self) -> int | None:
        if self.keeper is None:
            return None
        text = self.match.memory_text() + (" They resigned." if self.resigned else "")
        moment = await self.keeper.save("chess", "main", text, {"title": "chess", "save": self.match.save(),
                                                                "resigned": self.resigned})
        self.moved = False  # kept: closing later has nothing new to keep
        return moment.id

    async def close(self) -> None:
        try:
            if self.moved:
                await self.save()
        finally:
            await self.match.close()
