"""``os1 compose`` (a piano piece about a moment) and ``os1 music`` (the pieces os1 has made)."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

import click
from rich.markup import escape
from rich.table import Table

from os1.cli.io import console
from os1.cli.render import show
from os1.cli.share_cmd import AS_JSON
from os1.cli.state import CliState
from os1.memory.moments import Moment
from os1.music.folder import music_folder
from os1.runtime import Runtime

if TYPE_CHECKING:
    from os1.shared import Shared


@click.command()
@click.option("--about", metavar="MOMENT",
              help="A memory id, or words naming the moment (\"that evening\"); default: the latest.")
@click.option("--synth", type=click.Choice(["auto", "fluidsynth", "builtin"]), default="auto",
              show_default=True, help="FluidSynth with a SoundFont when installed, else the built-in piano.")
@AS_JSON
@click.pass_obj
def compose(state: CliState, about: str | None, synth: str, as_json: bool) -> None:
    """Compose a short piano piece (MIDI and WAV) about a moment you shared."""
    async def compose_piece() -> tuple[Shared, str]:
        runtime = await Runtime.open(state.settings, state.model_name)
        try:
            from os1.music.composer import Composer  # loads the MIDI and synthesis libraries

            folder = music_folder(state.settings)
            shared = await Composer(runtime.store, folder, synth=synth).compose(about)
            return shared, (await runtime.persona()).name
        finally:
            await runtime.close()

    shared, name = asyncio.run(compose_piece())
    show(shared, name, as_json)


@click.command()
@click.option("-n", "limit", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="How many pieces.")
@AS_JSON
@click.pass_obj
def music(state: CliState, limit: int, as_json: bool) -> None:
    """The pieces os1 has composed, newest first."""
    async def list_pieces() -> list[Moment]:
        runtime = await Runtime.open(state.settings, state.model_name)
        try:
            return await runtime.store.moments("piece", limit=limit)
        finally:
            await runtime.close()

    pieces = asyncio.run(list_pieces())
    if as_json:
        click.echo(json.dumps([{"id": p.id, "when": p.item.when, **p.data} for p in pieces]))
        return
    if not pieces:
        console.print("No pieces yet: share something, then `os1 compose`.")
        return
    table = Table("id", "when", "key", "tempo", "length", "about", "audio", box=None)
    for piece in pieces:
        d = piece.data
        table.add_row(str(piece.id), piece.item.when, str(d.get("key_name")), str(d.get("tempo")),
                      f"{d.get('seconds')} s", escape(piece.item.text.split(", about ")[-1][:50]),
                      escape(str(d.get("wav"))))
    console.print(table)
