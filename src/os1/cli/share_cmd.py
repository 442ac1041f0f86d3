"""``os1 share``, ``os1 look``: showing os1 posts, pages and photographs (and, in
``music_cmd``, listening and composing). Each prints what os1 perceived and said, and the
memory it kept; ``--json`` prints the same as one object."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from os1.cli.render import show
from os1.cli.state import CliState
from os1.runtime import Runtime

if TYPE_CHECKING:  # seeing and listening load OpenCV and librosa: only when a command runs
    from os1.share.sharing import Sharing
    from os1.shared import Shared

FILE = click.Path(path_type=Path, dir_okay=True, exists=False)
REPLY = click.option("--no-reply", is_flag=True, help="Remember it without asking the model to reply.")
AS_JSON = click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")


def run_sharing(state: CliState, no_reply: bool,
                action: Callable[[Sharing], Awaitable[Shared]]) -> tuple[Shared, str]:
    """Open the user's runtime, run one sharing action, close; returns the result and os1's name."""
    async def share_once() -> tuple[Shared, str]:
        runtime = await Runtime.open(state.settings, state.model_name)
        try:
            persona = await runtime.persona()
            model = None if no_reply else runtime.model
            vision = runtime.settings.llm.models[runtime.model_name].vision
            from os1.share.sharing import Sharing

            return await action(Sharing(runtime.store, persona, model, vision=vision)), persona.name
        finally:
            await runtime.close()

    return asyncio.run(share_once())


@click.command()
@click.argument("file", type=FILE)
@REPLY
@AS_JSON
@click.pass_obj
def share(state: CliState, file: Path, no_reply: bool, as_json: bool) -> None:
    """Show os1 a post or page you wrote or like (Markdown with front matter, or HTML).

    os1 reads it, looks at its pictures and remembers what you shared: a film is remembered
    once, whichever of its posts you show it.
    """
    shared, name = run_sharing(state, no_reply, lambda s: s.share_post(file))
    show(shared, name, as_json)


@click.command()
@click.argument("image", type=FILE, required=False)
@click.option("--camera", is_flag=True, help="Look through the camera (the first one found).")
@click.option("--say", "note", metavar="TEXT", help="What you want to say about it.")
@REPLY
@AS_JSON
@click.pass_obj
def look(state: CliState, image: Path | None, camera: bool, note: str | None, no_reply: bool,
         as_json: bool) -> None:
    """Show os1 a photograph (or, with --camera, what your camera sees)."""
    from os1.errors import InputError
    from os1.vision.camera import capture_frame

    if (image is None) == (not camera):
        raise InputError("give an IMAGE file or --camera (one of them)")

    async def action(sharing: Sharing) -> Shared:
        if image is not None:
            return await sharing.look_file(image, note=note)
        frame = await asyncio.to_thread(capture_frame)
        return await sharing.look(frame, note=note, source="camera", camera=True)

    shared, name = run_sharing(state, no_reply, action)
    show(shared, name, as_json)


@click.command()
@click.argument("file", type=FILE, required=False)
@click.option("--mic", is_flag=True, help="Listen through the microphone instead of a file.")
@click.option("--seconds", type=click.FloatRange(3, 300), default=20.0, show_default=True,
              help="How long to listen through the microphone.")
@REPLY
@AS_JSON
@click.pass_obj
def listen(state: CliState, file: Path | None, mic: bool, seconds: float, no_reply: bool,
           as_json: bool) -> None:
    """Listen to a piece of music together (WAV, FLAC, OGG, MP3, or --mic: what is playing).

    os1 hears its tempo, key, loudness, mood and shape, reads its tags, and remembers that you
    listened to it together.
    """
    from os1.errors import InputError

    if (file is None) == (not mic):
        raise InputError("give a FILE or --mic (one of them)")
    if file is not None:
        shared, name = run_sharing(state, no_reply, lambda s: s.listen(file))
    else:
        from os1.cli.io import err_console
        from os1.music.listening import SAMPLE_RATE
        from os1.voice.devices import check_microphone

        check_microphone(SAMPLE_RATE)  # before anything else: no microphone is one line
        err_console.print(f"[dim]listening for {seconds:g} s...[/]")
        shared, name = run_sharing(state, no_reply, lambda s: s.listen_microphone(seconds))
    show(shared, name, as_json)
