"""Opening a game by name for a ``Playing`` (games/session.py): the cave, a story the user owns,
chess, or a text game a plugin registers, each taking up its latest kept session unless a new
one is asked for. The web app and ``os1 talk`` open games here; ``os1 play`` too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from os1.agent.persona import Persona
from os1.errors import InputError
from os1.games.keeping import Keeper
from os1.games.session import ChessPlay, Playing, TextPlay
from os1.games.story import Story
from os1.games.table import Table
from os1.llm.base import ChatModel
from os1.memory.roles import CompanionMemory

TEXT_GAMES = ("adventure", "story")


@dataclass(frozen=True)
class Choice:
    """Which game, and how: ``story`` for a story; ``elo``, ``white``, ``partner`` for chess;
    ``seed`` for a new cave; ``new`` to start afresh instead of taking up the last session."""

    game: str
    new: bool = False
    story: Story | None = None
    seed: int | None = None
    elo: int = 1500
    white: bool = True
    partner: bool = False


def game_names() -> list[str]:
    """Every game that can be opened: the built-ins and the plugins' text games."""
    from os1.plugins import game_factories

    return sorted({"adventure", "chess", "story", *game_factories()})


def text_game(choice: Choice) -> tuple[Callable[[], Any], str]:
    """The factory of a text game and its save slot (a story's hash; ``main`` otherwise)."""
    if choice.game == "adventure":
        from os1.games.cave import CaveGame

        return (lambda: CaveGame(choice.seed)), "main"
    if choice.game == "story":
        if choice.story is None:
            raise InputError("a story needs its file: a Z-machine story you own (.z3, .z5, .z8)")
        from os1.games.story import StoryGame

        story = choice.story
        return (lambda: StoryGame(story)), story.digest[:16]
    from os1.plugins import game_factories

    factory = game_factories().get(choice.game)
    if factory is None:
        raise InputError(f"there is no game called {choice.game!r}; games: {', '.join(game_names())}")
    return factory, "main"


async def open_play(choice: Choice, store: CompanionMemory, persona: Persona,
                    model: ChatModel | None = None, *, session: str = "", **chess_options: Any) -> Playing:
    """The game open and seated: its latest kept session taken up unless ``choice.new``.
    ``model`` words os1's suggestions in text games; ``session``: the token its saves carry
    (a save carrying it is this session's, taken up as it stands); ``chess_options`` tune the
    engines."""
    if choice.game == "chess":
        try:
            from os1.games.chessplay import ChessTable
        except ImportError:
            raise InputError("chess needs python-chess: pip install 'os1[chess]'") from None
        table = ChessTable.new(store, elo=choice.elo, white=choice.white, partner=choice.partner,
                               session=session, **chess_options)
        await table.open(resume=not choice.new)
        chess = ChessPlay(table)
        try:
            opened = await chess.opening()
        except BaseException:
            await table.close()
            raise
        if opened.reply:
            chess.remark = f"Stockfish opened with {opened.reply}."
        return chess
    make, slot = text_game(choice)
    text = Table(make(), Keeper(store, session=session), slot=slot)
    try:
        await text.open(resume=not choice.new)
    except BaseException:
        await text.game.close()
        raise
    return TextPlay(text, persona, model)
