"""Chess with python-chess and Debian's Stockfish over UCI: os1 as the opponent at an Elo the
user picks (Stockfish's own strength limit), or as the user's partner against the engine (os1
suggests, the user decides). Every remark comes from a second, full-strength Stockfish's
analysis (best move and score before and after the user's move). The game is kept as PGN."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import chess
import chess.engine
import chess.pgn

from os1.errors import InputError
from os1.games.commentary import Judged, advice, comment
from os1.games.programs import find_program

ELO_RANGE = (1350, 2850)  # what Stockfish's UCI_Elo accepts
MATE = 100_000
Mode = Literal["opponent", "partner"]


@dataclass(frozen=True)
class ChessTurn:
    """A move made at the board: by whom, in SAN, os1's remark (for the user's moves) or its
    reason (for its own), and the engine's reply, if one was played."""

    by: str
    san: str
    remark: str
    reply: str | None = None
    judged: Judged | None = None


@dataclass
class ChessMatch:
    """One game. ``elo``: the opponent's strength; ``color``: the user's side; ``depth``: how
    deep the analyst looks; ``move_time``: seconds the opponent thinks per move."""

    elo: int = 1500
    color: chess.Color = chess.WHITE
    mode: Mode = "opponent"
    depth: int = 12
    move_time: float = 0.1
    board: chess.Board = field(default_factory=chess.Board)
    judged: list[tuple[int, Judged]] = field(default_factory=list)
    started: float = field(default_factory=time.time)
    _analyst: chess.engine.Protocol | None = None
    _player: chess.engine.Protocol | None = None
    # the analyst's verdict per position, so a suggestion, the move os1 then plays and the
    # remark on the user's move all rest on one analysis (a second search may pick another)
    _seen: dict[str, tuple[chess.Move, int]] = field(default_factory=dict)

    name = "chess"
    title = "chess"

    async def open(self) -> None:
        if not ELO_RANGE[0] <= self.elo <= ELO_RANGE[1]:
            raise InputError(f"Stockfish plays from {ELO_RANGE[0]} to {ELO_RANGE[1]} Elo, not {self.elo}")
        path = find_program("stockfish")
        _, self._analyst = await chess.engine.popen_uci(path)
        _, self._player = await chess.engine.popen_uci(path)
        await self._player.configure({"UCI_LimitStrength": True, "UCI_Elo": self.elo})

    async def close(self) -> None:
        for engine in (self._analyst, self._player):
            if engine is not None:
                try:
                    await engine.quit()
                except chess.engine.EngineError:
                    pass
        self._analyst = self._player = None

    @property
    def over(self) -> bool:
        return self.board.is_game_over()

    @property
    def users_turn(self) -> bool:
        return self.board.turn == self.color

    async def engine_move(self) -> str:
        """The opponent (Elo-limited Stockfish) plays one move; its SAN."""
        assert self._player is not None
        result = await self._player.play(self.board, chess.engine.Limit(time=self.move_time))
        if result.move is None:
            raise InputError("the engine found no move")
        san = self.board.san(result.move)
        self.board.push(result.move)
        return san

    async def best(self) -> tuple[chess.Move, int]:
        """The analyst's best move here and the score for the side to move."""
        key = self.board.fen()
        if key in self._seen:
            return self._seen[key]
        assert self._analyst is not None
        info = await self._analyst.analyse(self.board, chess.engine.Limit(depth=self.depth))
        pv = info.get("pv") or []
        score = info["score"].pov(self.board.turn).score(mate_score=MATE) or 0
        if not pv:
            raise InputError("the position has no moves left")
        self._seen[key] = (pv[0], score)
        return pv[0], score

    def parse(self, text: str) -> chess.Move:
        """A move in SAN ("Nf3") or UCI ("g1f3"); an illegal or unreadable one is one line."""
        words = text.strip()
        try:
            return self.board.parse_san(words)
        except ValueError:
            pass
        try:
            move = chess.Move.from_uci(words.lower())
        except ValueError:
            raise InputError(f"{words!r} is not a move here (try SAN like Nf3, or g1f3)") from None
        if move not in self.board.legal_moves:
            raise InputError(f"{words!r} is not legal here (try SAN like Nf3, or g1f3)")
        return move

    async def play(self, text: str) -> ChessTurn:
        """The user's move, weighed by the analyst; then, against the engine, its reply."""
        if self.over:
            raise InputError(f"the game is over ({self.result()})")
        if not self.users_turn:
            raise InputError("it's not your move")
        move = self.parse(text)
        best, before = await self.best()
        best_san, san = self.board.san(best), self.board.san(move)
        number = self.board.fullmove_number
        self.board.push(move)
        after = -(await self._score())
        judged = Judged(san, best_san, before, after)
        self.judged.append((number, judged))
        reply = None if self.over else await self.engine_move()
        return ChessTurn("user", san, comment(judged), reply, judged)

    async def suggest(self) -> tuple[str, str]:
        """os1's suggestion for the side to move: the move in SAN and why."""
        best, score = await self.best()
        return self.board.san(best), advice(self.board.san(best), score, self.depth)

    async def take_turn(self) -> ChessTurn:
        """As a partner, os1 plays the move it suggests for the user's side, then the engine replies."""
        if self.over:
            raise InputError(f"the game is over ({self.result()})")
        san, why = await self.suggest()
        self.board.push_san(san)
        reply = None if self.over else await self.engine_move()
        return ChessTurn("os1", san, why, reply)

    async def _score(self) -> int:
        if self.board.is_checkmate():
            return -MATE
        if self.board.is_game_over():
            return 0
        assert self._analyst is not None
        info = await self._analyst.analyse(self.board, chess.engine.Limit(depth=self.depth))
        return info["score"].pov(self.board.turn).score(mate_score=MATE) or 0

    def result(self) -> str:
        outcome = self.board.outcome()
        if outcome is None:
            return "in progress"
        if outcome.winner is None:
            return f"a draw ({outcome.termination.name.lower().replace('_', ' ')})"
        return "you won" if outcome.winner == self.color else "the engine won"

    def pgn(self) -> str:
        game = chess.pgn.Game.from_board(self.board)
        you, engine = "You", f"Stockfish ({self.elo})"
        game.headers.update({"Event": "os1 play chess",
                             "Date": datetime.fromtimestamp(self.started).strftime("%Y.%m.%d"),
                             "White": you if self.color == chess.WHITE else engine,
                             "Black": engine if self.color == chess.WHITE else you})
        return str(game)

    def save(self) -> dict[str, Any]:
        return {"game": self.name, "pgn": self.pgn(), "elo": self.elo, "mode": self.mode,
                "color": "white" if self.color == chess.WHITE else "black",
                "judged": [[n, j.san, j.best, j.before, j.after] for n, j in self.judged]}

    def load(self, saved: dict[str, Any]) -> None:
        """A kept game, checked: unreadable PGN or an illegal move in it is one line."""
        text = saved.get("pgn")
        if not isinstance(text, str) or len(text) > 200_000:
            raise InputError("the saved chess game is damaged: it has no PGN")
        game = chess.pgn.read_game(io.StringIO(text), Visitor=_QuietBuilder)
        if game is None or game.errors:
            raise InputError("the saved chess game is damaged: its PGN does not read")
        board = game.board()
        for move in game.mainline_moves():
            board.push(move)
        elo, color = saved.get("elo"), saved.get("color")
        if not isinstance(elo, int) or color not in ("white", "black"):
            raise InputError("the saved chess game is damaged: no strength or side")
        self.board, self.elo, self.color = board, elo, chess.WHITE if color == "white" else chess.BLACK
        self.mode = "partner" if saved.get("mode") == "partner" else "opponent"
        self.judged = [(int(n), Judged(str(s), str(b), int(x), int(y)))
                       for n, s, b, x, y in saved.get("judged", []) if isinstance(n, int)]

    def memory_text(self) -> str:
        day = datetime.fromtimestamp(self.started).strftime("%A %-d %B %Y")
        side = "white" if self.color == chess.WHITE else "black"
        role = "you were their partner against" if self.mode == "partner" else "you played them as"
        text = (f"You and the user played chess on {day}: they had {side}; {role} Stockfish at "
                f"{self.elo} Elo. After {self.board.fullmove_number} moves: {self.result()}.")
        worst = max(self.judged, key=lambda nj: nj[1].loss, default=None)
        if worst is not None and worst[1].band in ("mistake", "blunder"):
            n, j = worst
            text += (f" Their costliest move was {n}. {j.san}, about {j.loss / 100:.1f} pawns;"
                     f" {j.best} was best.")
        return text

    def describe(self) -> str:
        return (f"chess against Stockfish {self.elo}, move {self.board.fullmove_number}, {self.result()};"
                f" FEN {self.board.fen()}")


class _QuietBuilder(chess.pgn.GameBuilder[chess.pgn.Game]):
    """Collects a PGN's errors without logging them: a damaged save is reported in one line."""

    def handle_error(self, error: Exception) -> None:
        self.game.errors.append(error)
