"""``os1 talk`` (a spoken conversation), ``os1 transcribe`` and ``os1 speak``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape

from os1.access import FILE, is_loopback, local_key
from os1.asking.answers import Asking
from os1.cli.io import CORAL, argument_text, console, err_console, read_stdin
from os1.cli.state import CliState
from os1.config import Settings
from os1.errors import InputError
from os1.initiative.delivery import desktop
from os1.initiative.feed import enabled, open_initiative
from os1.initiative.live import WallClock, keep_delivering
from os1.initiative.plans import Plan
from os1.memory.sqlite import store_path
from os1.memory.store.memory import Memory
from os1.music.folder import music_folder
from os1.runtime import Runtime
from os1.voice.audio import read_audio, write_wav
from os1.voice.echo import front_end
from os1.voice.engines import load_stt, load_tts
from os1.voice.events import event_for
from os1.voice.frames import Failed, Frame, Heard, ReplySaved, ReplyText

if TYPE_CHECKING:  # the conversation loads the voice models' libraries: only when talking
    from os1.games.session import Playing
    from os1.games.start import Choice
    from os1.voice.conversation import Conversation

PATH = click.Path(path_type=Path, dir_okay=False)


@click.command()
@click.argument("audio", type=PATH)
@click.option("--engine", metavar="NAME", help="Speech-to-text engine (default: voice.stt, whisper).")
@click.pass_obj
def transcribe(state: CliState, audio: Path, engine: str | None) -> None:
    """Print what is said in AUDIO (WAV, FLAC, OGG; any rate, mixed down to mono)."""
    voice = state.settings.voice.model_copy(update={"stt": engine} if engine else {})
    samples = read_audio(audio)
    if (cleaner := front_end(voice.noise_suppression)) is not None:  # as os1 talk hears it
        samples = cleaner.recording(samples)
    with console.status("[dim]listening...[/]", spinner="dots"):
        text = load_stt(voice).transcribe(samples)
    click.echo(text)


@click.command()
@click.argument("text", required=False)
@click.option("-o", "--output", type=PATH, required=True, help="The WAV file to write.")
@click.option("--engine", metavar="NAME", help="Text-to-speech engine (default: voice.tts, espeak).")
@click.pass_obj
def speak(state: CliState, text: str | None, output: Path, engine: str | None) -> None:
    """Say TEXT (or stdin) in os1's voice into a WAV file."""
    limit = state.settings.chat.max_input_chars
    message = read_stdin(limit) if text in (None, "-") else argument_text(text or "")
    if not message.strip():
        raise InputError("nothing to say: the text is empty")
    voice = state.settings.voice.model_copy(update={"tts": engine} if engine else {})
    wish = asyncio.run(_voice_wish(state))
    samples = load_tts(voice, wish).synthesize(message)
    if samples.size == 0:
        raise InputError("nothing to say: the text has no speakable words")
    write_wav(output, samples)
    err_console.print(f"[dim]wrote {samples.size / 16000:.1f} s to {escape(str(output))}[/]")


async def _voice_wish(state: CliState) -> str | None:
    """What the user asked os1 to sound like during onboarding."""
    runtime = await Runtime.open(state.settings, state.model_name)
    try:
        return (await runtime.store.profile()).get("voice")
    finally:
        await runtime.close()


@click.command()
@click.option("--input", "input_path", type=PATH, help="Listen to this recording instead of the microphone.")
@click.option("--output", "output_path", type=PATH,
              help="Write os1's side to this WAV (same timeline as the input) instead of the speaker.")
@click.option("--duplex", type=click.Choice(["auto", "full", "half", "aec"]),
              help="aec: cancel os1's own voice from the microphone (loudspeakers); full: no "
                   "echo to cancel (headphones); half: os1 does not listen while it speaks. "
                   "Default: voice.duplex (auto: aec when available, else half).")
@click.option("--json", "as_json", is_flag=True, help="Print the conversation as JSON lines.")
@click.option("--listen", "listen_on", metavar="HOST:PORT",
              help="Serve the WebSocket audio transport (ws://HOST:PORT/v1/voice) instead.")
@click.option("--game", metavar="GAME",
              help="Play a game by voice as you talk: adventure, chess, a plugin's game, or a story "
                   "file; its last session is taken up ('what should I do?', 'take the lamp').")
@click.option("--connect", metavar="URL",
              help="Talk to a server's WebSocket transport (with --input and --output).")
@click.pass_obj
def talk(state: CliState, input_path: Path | None, output_path: Path | None, duplex: str | None,
         as_json: bool, listen_on: str | None, connect: str | None, game: str | None) -> None:
    """Talk with os1 by voice: hands-free, and interruptible (just start speaking).

    With --input and --output, a whole conversation runs from a recording (several utterances
    with pauses) and os1's side is written to a file. Without them, it uses the microphone and
    speaker, and Ctrl-C ends it. --listen serves the same conversation over a WebSocket
    (docs/voice.md); --connect is its small client. With --game, what you say goes to the
    game as at ``os1 play`` (call os1 by name to talk with it instead).
    """
    if (input_path is None) != (output_path is None):
        raise InputError("give both --input and --output, or neither (microphone and speaker)")
    if game is not None and (listen_on is not None or connect is not None):
        raise InputError("--game plays in this conversation; it does not go with --listen or --connect")
    choice = _game_choice(game) if game is not None else None
    if listen_on is not None:
        return _serve(state, listen_on)
    recording = read_audio(input_path) if input_path is not None else None
    if connect is not None:
        if recording is None or output_path is None:
            raise InputError("--connect needs --input and --output")
        return _connect(connect, local_key(state.settings.home), recording, output_path, as_json)
    if recording is None:
        from os1.voice.devices import check_devices

        check_devices()
    mode = _duplex(duplex or state.settings.voice.duplex, live=recording is None)
    try:
        asyncio.run(_talk(state, recording, output_path, mode, as_json, choice))
    except KeyboardInterrupt:
        console.out("")
        sys.exit(130)


def _duplex(mode: str, *, live: bool) -> str:
    """Files and sockets carry no echo (full). A live speaker needs echo cancelling, or half
    duplex where the library is missing."""
    from os1.voice.echo import echo_cancelling_available

    if mode == "auto":
        mode = "full" if not live else "aec" if echo_cancelling_available() else "half"
    if mode == "aec" and not echo_cancelling_available():
        raise InputError("echo cancelling needs the livekit package (pip install livekit)")
    return mode


async def _talk(state: CliState, recording: object, output: Path | None, mode: str, as_json: bool,
                game: Choice | None = None) -> None:
    import numpy as np

    from os1.voice.conversation import Conversation, talk_file, talk_live

    runtime = await Runtime.open(state.settings, state.model_name)
    play: Playing | None = None
    try:
        if game is not None:
            play = await _open_game(runtime, game)
        companion = await runtime.companion(interactive=True)
        voice = state.settings.voice
        with console.status("[dim]waking up the voice...[/]", spinner="dots"):
            stt = await asyncio.to_thread(load_stt, voice)
            tts = await asyncio.to_thread(load_tts, voice, companion.persona.profile.get("voice"))
            await companion.warm_up()
        show = _json_line if as_json else _Printer(companion.persona.name, companion.persona.user_name)
        from os1.voice.echo import EchoCanceller
        from os1.voice.music import ComposedMusic

        music = ComposedMusic(runtime.store, music_folder(state.settings))
        conversation = Conversation(companion, stt, tts, voice, half_duplex=mode == "half",
                                    echo=EchoCanceller() if mode == "aec" else None, observers=[show],
                                    music=music, asking=Asking.of(runtime, companion), play=play)
        if isinstance(recording, np.ndarray) and output is not None:
            spoken = await talk_file(conversation, recording)
            write_wav(output, spoken)
        else:
            if not as_json:
                console.print(f"[dim]Talking with {escape(companion.persona.name)}: speak any time; "
                              "Ctrl-C to leave.[/]")
            async with spoken_initiative(state.settings, runtime.store, conversation):
                await talk_live(conversation)
    finally:
        try:
            if play is not None:
                await play.close()  # the session is kept with os1's memories
        finally:
            await runtime.close()


def _game_choice(game: str) -> Choice:
    """The game to play by voice: a name, or a story file's path."""
    from os1.games.start import Choice, game_names
    from os1.games.story import read_story

    path = Path(game)
    try:
        is_file = bool(path.suffix) and path.expanduser().exists()
    except (OSError, ValueError, RuntimeError):  # a name too long, undecodable, or ~nobody
        is_file = False
    if is_file:
        return Choice("story", story=read_story(path.expanduser()))
    if game not in game_names() or game == "story":
        raise InputError(f"there is no game called {game!r}: try adventure, chess, or a story file's path")
    return Choice(game)


async def _open_game(runtime: Runtime, choice: Choice) -> Playing:
    """The game open, its last session taken up."""
    from os1.games.start import open_play

    play = await open_play(choice, runtime.store, await runtime.persona())
    console.print(f"[dim]Playing {escape(play.view()['title'])} by voice: "
                  f"{escape(play.welcome or 'a new game')}[/]")
    return play


@contextlib.asynccontextmanager
async def spoken_initiative(settings: Settings, store: Memory,
                            conversation: Conversation) -> AsyncIterator[None]:
    """While ``os1 talk`` runs, proposals falling due are spoken at the next pause (and sent to
    the desktop when ``initiative.desktop`` holds)."""
    if not enabled(settings):
        yield
        return
    user_dir = store_path(settings.home, settings.user).parent
    initiative = open_initiative(settings, await store.profile(), user_dir)

    async def spoken(plan: Plan) -> None:
        await conversation.at_pause(plan.text)

    outlets = [spoken, *([desktop] if settings.initiative.desktop else [])]
    task = asyncio.create_task(keep_delivering(initiative, store, settings, WallClock(), outlets))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        initiative.book.close()


def _serve(state: CliState, address: str) -> None:
    import uvicorn

    from os1.voice.server import PATH, voice_app

    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise InputError(f"--listen wants HOST:PORT, e.g. 127.0.0.1:8765 (not {address!r})")
    if not is_loopback(host.strip("[]")):
        raise InputError(f"--listen serves only this machine (127.0.0.1), not {host}: it has no accounts;"
                         " for other devices use `os1 serve --mode multi`")

    async def serve() -> None:
        runtime = await Runtime.open(state.settings, state.model_name)
        try:
            voice = state.settings.voice
            wish = (await runtime.store.profile()).get("voice")
            stt = await asyncio.to_thread(load_stt, voice)
            tts = await asyncio.to_thread(load_tts, voice, wish)
            app = voice_app(runtime, stt, tts, voice, local_key(state.settings.home))
            err_console.print(f"[dim]os1 voice on ws://{escape(host)}:{port}{PATH} for callers with this"
                              f" machine's key ({escape(str(state.settings.home / FILE))}); Ctrl-C stops[/]")
            config = uvicorn.Config(app, host=host, port=int(port), log_level="warning", lifespan="on")
            await uvicorn.Server(config).serve()
        finally:
            await runtime.close()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        sys.exit(130)


def _connect(url: str, key: str, recording: object, output: Path, as_json: bool) -> None:
    import numpy as np

    from os1.voice.client import converse

    assert isinstance(recording, np.ndarray)

    def show(event: dict[str, object]) -> None:
        if as_json:
            click.echo(json.dumps(event))
        elif event.get("type") in ("heard", "say"):
            who = "you" if event["type"] == "heard" else "os1"
            console.print(f"[bold]{who}[/]: {escape(str(event.get('text', '')))}")

    write_wav(output, asyncio.run(converse(url, recording, show, key=key)))


def _json_line(frame: Frame) -> None:
    if (event := event_for(frame)) is not None:
        click.echo(json.dumps(event))


class _Printer:
    """Shows the conversation in the terminal as it happens."""

    def __init__(self, name: str, user: str) -> None:
        self.name = name
        self.user = user

    def __call__(self, frame: Frame) -> None:
        if isinstance(frame, Heard) and frame.text:
            console.print(f"[bold]{escape(self.user)}[/]: {escape(frame.text)}")
        elif isinstance(frame, ReplyText):
            console.print(f"[bold {CORAL}]{escape(self.name)}[/]: {escape(frame.text)}")
        elif isinstance(frame, ReplySaved) and frame.interrupted:
            console.print("[dim](interrupted)[/]")
        elif isinstance(frame, Failed):
            err_console.print(f"[red]os1: error:[/] {escape(frame.message)}")
