"""``os1 meet`` and ``os1 persona serve``: os1 among other OSes over A2A.

``os1 meet URL [ABOUT]``: os1 talks with another A2A agent (another os1, or any A2A agent)
about ABOUT, for up to ``--turns`` exchanges, in front of the user.

Each message os1 drafts is shown whole and sent only on the user's yes: ``y`` sends this one,
``q``, ``o`` or ``f`` send it and let this agent receive a stated kind of thing for the rest of
this conversation only (my questions, my opinions on the topic, facts about me; each message is
still shown as it goes, and one the guard finds beyond that kind waits for a yes again), anything
else stops. The agent's words appear as they arrive, marked
as its own; they are outside content and kept in memory naming the agent (``os1.agent.meeting``).

``os1 persona serve TEXTS...``: another kind of OS, made of the texts given (``os1.agents.texts_persona``),
served as its own A2A agent on this machine, offline.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape
from starlette.applications import Starlette

from os1.access import is_loopback
from os1.agents.texts_persona import TextsModel, read_texts
from os1.cli.io import argument_text, ask, console
from os1.cli.state import CliState
from os1.config import AgentSettings, Settings
from os1.errors import ConfigError, InputError
from os1.llm.base import ChatModel
from os1.runtime import Runtime, open_guard, open_store
from os1.safety.allowance import KINDS, Kind, kind_of

if TYPE_CHECKING:  # the A2A SDK loads only for the commands that talk A2A
    from os1.agent.companion import Companion
    from os1.agent.meeting import Meeting

MAX_TURNS = 20


def _target(state: CliState, url: str) -> str:
    """A URL, or the name of an agent in ``agents.a2a_peers``."""
    peers = state.settings.agents.a2a_peers
    if url in peers:
        return peers[url]
    if not url.startswith(("http://", "https://")):
        known = ", ".join(sorted(peers)) or "none"
        raise InputError(f"not an agent URL or a known agent's name: {url} (known: {known})")
    return url


@click.command()
@click.argument("url")
@click.argument("about", required=False)
@click.option("--turns", type=click.IntRange(1, MAX_TURNS), default=3, show_default=True,
              help="Exchanges at most.")
@click.option("--allow", "allowance", type=click.Choice(["questions", "opinions", "about-me"]),
              help="Let this agent receive this kind of thing for this conversation without asking"
                   " (each message is shown; one beyond it stops, as a no).")
@click.option("--yes", "let_questions", is_flag=True, help="The same as --allow questions.")
@click.option("--json", "as_json", is_flag=True, help="Print the conversation as JSON at the end.")
@click.pass_obj
def meet(state: CliState, url: str, about: str | None, turns: int, allowance: str | None,
         let_questions: bool, as_json: bool) -> None:
    """Hold a conversation with another agent over A2A: every message os1 sends needs your yes."""
    topic = argument_text(about) if about else "whatever you both find interesting"
    kind = kind_of(allowance or ("questions" if let_questions else ""))
    said = asyncio.run(_meet(state, _target(state, url), topic, turns, kind))
    if as_json:
        click.echo(json.dumps(said, ensure_ascii=False))


async def _meet(state: CliState, url: str, about: str, turns: int, kind: Kind | None) -> dict[str, Any]:
    from os1.agent.meeting import Meeting
    from os1.agents.a2a_peer import Peer

    async with AsyncExitStack() as stack:
        peer = await Peer.reach(url, timeout_s=state.settings.agents.a2a_timeout_s)
        stack.push_async_callback(peer.close)
        runtime = await Runtime.open(state.settings, state.model_name)
        stack.push_async_callback(runtime.close)
        guard = open_guard(state.settings)
        stack.push_async_callback(guard.aclose)
        console.print(f"[bold]{escape(peer.name)}[/bold] [dim]({escape(url)})[/dim]",
                      escape(peer.description))
        meeting = Meeting(peer, runtime.model, runtime.store, guard, (await runtime.persona()).name, about,
                          hear=lambda piece: console.print(escape(piece), end="", highlight=False),
                          max_tokens=state.settings.llm.max_tokens, allowance=kind)
        stopped = await _rounds(meeting, turns)
    return {"agent": peer.name, "url": url, "stopped": stopped,
            "said": [{"who": meeting.name if who == "os1" else peer.name, "text": text}
                     for who, text in meeting.said]}


_CHOICES: dict[str, Kind] = {"q": "questions", "o": "opinions", "f": "about_me"}


async def _rounds(meeting: Meeting, turns: int) -> str:
    """Up to ``turns`` exchanges; why it stopped: ``done``, ``declined`` or ``blocked``. A draft
    inside the allowance goes as it is shown; any other waits for the user's answer."""
    for _ in range(turns):
        action = await meeting.hold(await meeting.draft())
        if action is None:
            console.print("[red]Not sent: over the outbound limits (os1 actions).[/red]")
            return "blocked"
        console.print(f"\n[bold]{escape(meeting.name)} would send[/bold] (action {action.id}):")
        console.print(escape(action.preview), highlight=False)
        held = meeting.beyond(action)
        if held and meeting.allowance is not None:
            console.print(f"[yellow]Held for your yes: {escape(held)}, beyond"
                          f" {escape(KINDS[meeting.allowance])}.[/yellow]")
        if held and not _agreed(meeting):
            await meeting.answer(action, yes=False)
            console.print("Not sent.")
            return "declined"
        console.print(f"\n[bold]{escape(meeting.peer.name)}:[/bold] ", end="")
        await meeting.answer(action, yes=True)
        console.print()
    return "done"


def _agreed(meeting: Meeting) -> bool:
    """The user's answer: yes (``y``), yes and an allowance of a stated kind (``q``, ``o``,
    ``f``), or no (anything else, and the end of input)."""
    kinds = "; ".join(f"{key}: yes, and let it have {KINDS[kind]}" for key, kind in _CHOICES.items())
    try:
        choice = ask(f"Send it? y: yes; {kinds}, for this conversation; n: no > ").strip().lower()
    except EOFError:
        return False
    if choice in _CHOICES:
        meeting.allowance = _CHOICES[choice]
    return choice in ("y", "yes", *_CHOICES)


@click.command("serve")
@click.argument("texts", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--name", default="Another OS", show_default=True, help="Its name, on its Agent Card.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8372, show_default=True)
@click.pass_obj
def persona_serve(state: CliState, texts: tuple[Path, ...], name: str, host: str, port: int) -> None:
    """Serve another kind of OS: a persona that answers in the sentences of TEXTS (plain-text
    files), offline, as an A2A agent, and remembers its conversations in this OS1_HOME's memory.
    Ctrl-C stops it."""
    import uvicorn

    if not is_loopback(host):
        raise ConfigError("a persona serves only this machine (127.0.0.1)")
    model = TextsModel(name, read_texts(texts))
    app = persona_app(state.settings, name, model, f"http://{host}:{port}")
    click.echo(f"os1 persona {name} ({len(model.sentences)} sentences) is serving http://{host}:{port}/ "
               "over A2A. Ctrl-C stops it.", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def persona_app(settings: Settings, name: str, model: ChatModel, base_url: str) -> Starlette:
    """The persona's A2A app; its store opens with the app and closes with it."""
    from os1.agents.a2a_reply import PersonaReplier, Self
    from os1.agents.a2a_serve import a2a_routes, agent_card
    from os1.safety.spotlight import Spotlight

    opened: list[Self] = []

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        store = await open_store(settings)
        opened.append(Self(model, store, name))
        try:
            yield
        finally:
            await store.close()

    @asynccontextmanager
    async def open_self() -> AsyncIterator[Self]:
        yield opened[0]

    card = agent_card(name, base_url, f"{name}: an OS made of texts, answering in their own sentences.")
    return Starlette(routes=a2a_routes(card, PersonaReplier(open_self, Spotlight().show)), lifespan=lifespan)


def ask_in_chat(runner: asyncio.Runner, companion: Companion, agents: AgentSettings, name: str,
                line: str, allowed: dict[str, Kind] | None = None) -> None:
    """"Ask Sam what she thinks about this" in ``os1 chat``: one exchange with that agent, the
    message drafted from the user's words and what the two of them were just saying (never
    outside content, ``asked_in_chat``), shown whole and sent only on yes. ``allowed``: what the
    user let each agent receive for this chat, kept there until the chat ends."""
    from os1.agent.meeting import Meeting, asked_in_chat
    from os1.agents.a2a_peer import Peer

    kept = allowed if allowed is not None else {}

    async def asking() -> None:
        about, drawn = await asked_in_chat(companion.store, line)
        peer = await Peer.reach(agents.a2a_peers[name], timeout_s=agents.a2a_timeout_s)
        try:
            meeting = Meeting(peer, companion.model, companion.store, companion.guard,
                              companion.persona.name, about, max_tokens=companion.settings.max_tokens,
                              hear=lambda piece: console.print(escape(piece), end="", highlight=False),
                              drawn=drawn, allowance=kept.get(name))
            await _rounds(meeting, 1)
        finally:
            await peer.close()
        if meeting.allowance is not None:
            kept[name] = meeting.allowance

    runner.run(asking())
