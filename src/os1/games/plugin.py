"""games/ as a plugin, through the same hooks any installed plugin uses: the built-in text game
(Colossal Cave) and, while a game is open, the ``game_*`` tools."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from os1.hookspecs import hookimpl


def _cave() -> Any:
    from os1.games.cave import CaveGame

    return CaveGame()


@hookimpl
def register_games(register: Callable[[str, Callable[[], Any]], None]) -> None:
    register("adventure", _cave)


@hookimpl
def register_tools(register: Callable[[Any], None]) -> None:
    """Only while a game is open: an ordinary conversation carries no game tools."""
    from os1.games.tools import SEAT, game_tools

    if SEAT.table is not None:
        for found in game_tools():
            register(found)
