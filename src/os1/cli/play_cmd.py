"""``os1 play``: Colossal Cave, chess against Stockfish, or a Z-machine story, played together.

Lines typed at the table are moves for the game, except what is said to os1: "?" or "what
should I do?" (a suggestion), "you go" (os1 takes the turn and says why), "map", "where is the
lamp?", "how do we get to the building?", "/say ..." or "os1, ..." (a turn of conversation, in
which a model with tools sees the game through the ``game_*`` tools), "save", "quit" (or
Ctrl-D). The session is kept as a moment in memory (exported and forgotten with everything
else) and taken up next time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape

from os1.cli.io import CORAL, ask, console, err_console
from os1.cli.state import CliState
from os1.errors import Os1Error
from os1.games.session import CHESS_HELP, Answer, ChessPlay, Playing
from os1.games.tools import SEAT
from os1.runtime import Runtime

if TYPE_CHECKING:
    from os1.agent.companion import Companion
    from os1.games.chessplay import ChessTable
    from os1.games.table import Table

class PlayGroup(click.Group):
    """The built-in games, plus any text game a plugin registers (``register_games``)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from os1.plugins import game_factories

        return sorted(set(super().list_commands(ctx)) | set(game_factories()))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None:
            return found
        from os1.plugins import game_factories

        factory = game_factories().get(cmd_name)
        return None if factory is None else _plugin_command(cmd_name, factory)


def _plugin_command(name: str, factory: Callable[[], Any]) -> click.Command:
    @click.option("--new", is_flag=True, help="Start a new game instead of taking up the last one.")
    @click.option("--talk/--plain", default=False, show_default=True,
                  help="Let the model word os1's suggestions (the moves always come from the map).")
    @click.pass_obj
    def run(state: CliState, new: bool, talk: bool) -> None:
        _run_table(state, factory, "main", resume=not new, talk=talk)

    return click.command(name=name, help=f"{name}, a game from a plugin, played together.")(run)


@click.group(cls=PlayGroup)
def play() -> None:
    """Play a game together: os1 keeps the map, suggests, and takes a turn when asked."""


@play.command()
@click.option("--new", is_flag=True, help="Start a new game instead of taking up the last one.")
@click.option("--seed", type=int, default=None, help="The cave's random seed (a new game only).")
@click.option("--talk/--plain", default=False, show_default=True,
              help="Let the model word os1's suggestions (the moves always come from the map).")
@click.pass_obj
def adventure(state: CliState, new: bool, seed: int | None, talk: bool) -> None:
    """Colossal Cave Adventure, the original, as a shared text adventure."""
    from os1.games.cave import CaveGame

    _run_table(state, lambda: CaveGame(seed), "main", resume=not new, talk=talk)


@play.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--new", is_flag=True, help="Start the story anew instead of taking up the last session.")
@click.option("--talk/--plain", default=False, show_default=True,
              help="Let the model word os1's suggestions (the moves always come from the map).")
@click.pass_obj
def story(state: CliState, file: Path, new: bool, talk: bool) -> None:
    """A Z-machine story file you own (.z3, .z5, .z8), played through Debian's dfrotz."""
    from os1.games.story import StoryGame, read_story

    found = read_story(file)
    _run_table(state, lambda: StoryGame(found), found.digest[:16], resume=not new, talk=talk)


def _run_table(state: CliState, make: Callable[[], Any], slot: str, *, resume: bool, talk: bool) -> None:
    from os1.games.keeping import Keeper
    from os1.games.session import TABLE_HELP, TextPlay
    from os1.games.table import Table

    with asyncio.Runner() as runner:
        runtime = runner.run(Runtime.open(state.settings, state.model_name))
        table: Table | None = None
        try:
            persona = runner.run(runtime.persona())
            table = Table(make(), Keeper(runtime.store), slot=slot)
            screen = runner.run(table.open(resume=resume))
            SEAT.table = table
            console.print(f"[dim]{escape(TABLE_HELP)}[/]")
            if table.welcome:
                _os1(persona.name, table.welcome)
            console.print(escape(screen.text.rstrip()))
            _play_loop(runner, TextPlay(table, persona, runtime.model if talk else None), persona.name,
                       runtime, "> ")
        finally:
            SEAT.table = None
            if table is not None:
                runner.run(table.close())
            runner.run(runtime.close())


def _play_loop(runner: asyncio.Runner, play: Playing, name: str, runtime: Runtime, prompt: str,
               board: Callable[[], str] | None = None,
               local: Callable[[str], Answer | None] | None = None) -> None:
    """Lines typed at the table until quit, Ctrl-D or the game's end, each answered on the
    co-player path (games/session.py) the web app and ``os1 talk`` share."""
    companion: Companion | None = None
    while True:
        if board is not None:
            console.print(escape(board()))
        try:
            line = ask(f"[bold]{escape(prompt)}[/]")
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        if not line.strip():
            continue
        try:
            answer = (local and local(line)) or runner.run(play.say(line))
            if answer.chat:  # a turn with os1; with tools on it sees the game through them
                from os1.cli.chat import stream_turn

                companion = companion or runner.run(runtime.companion())
                runner.run(stream_turn(companion, answer.chat))
        except KeyboardInterrupt:
            console.print("\n[dim](stopped; the game is as it was)[/]")
            continue
        except Os1Error as exc:
            err_console.print(f"[red]os1: error:[/] {escape(str(exc))}")
            continue
        _show(answer, name)
        if answer.quit or answer.over:
            return


def _show(answer: Answer, name: str) -> None:
    if answer.error:
        err_console.print(f"[red]os1: error:[/] {escape(answer.error)}")
    if answer.said:
        _os1(name, answer.said)
    if answer.by == "os1" and answer.screen:
        console.print(f"[dim]> {escape(answer.move)}[/]")
    if answer.screen:
        console.print(escape(answer.screen))
    if answer.reply:
        console.print(f"Stockfish plays {escape(answer.reply)}.")


def _os1(name: str, text: str) -> None:
    console.print(f"[bold {CORAL}]{escape(name)}[/]: {escape(text)}")


@play.command(name="chess")
@click.option("--elo", type=int, default=1500, show_default=True,
              help="The engine's strength (Stockfish's Elo limit, 1350 to 2850).")
@click.option("--color", type=click.Choice(["white", "black"]), default="white", show_default=True,
              help="Your side.")
@click.option("--partner", is_flag=True,
              help="os1 is on your side against the engine: it suggests, you decide ('you go' lets it move).")
@click.option("--new", is_flag=True, help="Start a new game instead of taking up an unfinished one.")
@click.pass_obj
def chess_game(state: CliState, elo: int, color: str, partner: bool, new: bool) -> None:
    """Chess against Stockfish at the strength you pick, with os1's remarks from the engine's analysis."""
    try:
        from os1.games.chessplay import ChessTable
    except ImportError:
        raise click.ClickException("chess needs python-chess: pip install 'os1[chess]'") from None

    with asyncio.Runner() as runner:
        runtime = runner.run(Runtime.open(state.settings, state.model_name))
        table: ChessTable | None = None
        try:
            persona = runner.run(runtime.persona())
            table = ChessTable.new(runtime.store, elo=elo, white=color == "white", partner=partner)
            runner.run(table.open(resume=not new))
            SEAT.table = table
            console.print(f"[dim]{escape(CHESS_HELP)} 'svg FILE' draws the board into a file.[/]")
            if table.welcome:
                _os1(persona.name, table.welcome)
            play = ChessPlay(table)
            _show(runner.run(play.opening()), persona.name)
            _play_loop(runner, play, persona.name, runtime, "your move> ", board=table.board_text,
                       local=lambda line: _svg(table, line))
            if table.match.over:
                console.print(escape(table.board_text()))
        finally:
            SEAT.table = None
            if table is not None:
                runner.run(table.close())
            runner.run(runtime.close())


def _svg(table: ChessTable, line: str) -> Answer | None:
    """``svg FILE``, the one chess command only a terminal has: the board drawn into a file."""
    if not line.strip().casefold().startswith("svg "):
        return None
    target = Path(line.strip()[4:].strip()).expanduser()
    try:
        target.write_text(table.board_svg(), encoding="utf-8")
    except OSError as exc:
        return Answer(error=f"cannot write {target}: {exc.strerror or exc}")
    return Answer(said=f"The board is drawn in {target}.")
