"""Tools the model may call while a game is open (``game_state``, ``game_suggest``,
``game_move``), registered through the ``register_tools`` hook like any plugin's
(``os1.games.plugin``).

They act on the table seated in this process (``SEAT``: ``os1 play`` seats its table while it
runs) and are offered only while one is. Their policy is READ: a move changes only the game, kept in
os1's own memory. Every result carrying the game's text is ``Outside`` content, so the guard
marks the turn as having read outside text and shows it to the model fenced as data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from os1.errors import Os1Error, ToolFailed
from os1.outside import Outside
from os1.tools.base import Policy, Tool, tool

NO_GAME = "No game is open: start one with `os1 play adventure`, `os1 play chess` or `os1 play story FILE`."


@dataclass
class Seat:
    """The game table open in this process, if any (a ``Table`` or a ``ChessTable``)."""

    table: Any = None


SEAT = Seat()


def game_tools(seat: Seat = SEAT) -> list[Tool]:
    """The game tools, bound to ``seat``."""

    async def game_state() -> Outside | str:
        """Where we are in the game we're playing together: the last screen and os1's map."""
        table = _seated(seat)
        if hasattr(table, "atlas"):
            note = f"{table.game.describe()}\nMap:\n{table.atlas.summary()}"
            return Outside((("game", table.screen.text),), note=note)
        return f"{table.match.describe()}\n{table.board_text()}"

    async def game_suggest() -> str:
        """The next move os1 would make in the open game, and why (from the map or the engine)."""
        table = _seated(seat)
        if hasattr(table, "atlas"):
            idea = table.suggest()
            return f"{idea.command}: {idea.why}"
        san, why = await table.match.suggest()
        return f"{san}: {why}"

    async def game_move(move: str) -> Outside | str:
        """Make a move in the open game: a command like "take lamp" or "north", or a chess move like Nf3."""
        table = _seated(seat)
        try:
            turn = await table.play(move)
        except Os1Error as exc:
            raise ToolFailed(str(exc)) from None
        if hasattr(table, "atlas"):
            return Outside((("game", turn.screen.text),), note=f"Moved: {turn.command}")
        reply = f" Stockfish replied {turn.reply}." if turn.reply else ""
        return f"{turn.san}: {turn.remark}{reply}"

    return [tool(game_state, policy=Policy.READ), tool(game_suggest, policy=Policy.READ),
            tool(game_move, policy=Policy.READ)]


def _seated(seat: Seat) -> Any:
    if seat.table is None:
        raise ToolFailed(NO_GAME)
    return seat.table

