"""``os1 chat`` (the conversation) and ``os1 say`` (one scriptable turn)."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable, Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.status import Status
from rich.text import Text

from os1.agent.companion import Companion
from os1.agent.events import ConfirmationNeeded, Recalled, ToolActivity, TurnDone
from os1.agent.onboarding import introduction, run_onboarding
from os1.agents.a2a_asking import agent_request
from os1.asking.answers import Answer, Asking, Composed, Drafted, Refused
from os1.asking.requests import Ask, recognise
from os1.cli.a2a_cmd import ask_in_chat
from os1.cli.initiative_cmd import hear_new, print_plan, show_due
from os1.cli.initiative_live import InitiativeThread
from os1.cli.io import CORAL, argument_text, ask, confirm, console, err_console, read_stdin
from os1.cli.letters_cmd import interactive, show_grounding, write_in_chat
from os1.cli.onboard_cmd import ask_questions
from os1.cli.render import show
from os1.cli.slash import SlashCommands
from os1.cli.state import CliState
from os1.config import AgentSettings
from os1.errors import InputError, Os1Error
from os1.initiative.plans import Plan
from os1.letters.asking import LetterAsk
from os1.memory.history.dates import parse_time
from os1.memory.sqlite import store_path
from os1.music.folder import music_folder
from os1.runtime import Runtime
from os1.safety.allowance import Kind
from os1.types import TextDelta


async def stream_turn(companion: Companion, text: str, *, show_memories: bool = False) -> None:
    """Print one reply as it streams, with a spinner until its first words."""
    name = companion.persona.name
    spinner = console.status("[dim]thinking...[/]", spinner="dots")
    spinner.start()
    waiting: Status | None = spinner
    try:
        async for event in companion.respond(text):
            if isinstance(event, Recalled) and show_memories and event.memories:
                joined = "; ".join(m.text[:60] for m in event.memories)
                console.print(f"[dim](remembering: {escape(joined)})[/]")
            elif isinstance(event, TextDelta | ToolActivity) and waiting is not None:
                waiting.stop()
                waiting = None
                console.print(f"[bold {CORAL}]{escape(name)}[/]: ", end="")
            if isinstance(event, TextDelta):
                console.out(event.text, end="")
            elif isinstance(event, ToolActivity):
                console.print(f"[dim]({escape(event.call.name)}: {escape(event.result[:80])})[/] ",
                              end="")
            elif isinstance(event, ConfirmationNeeded):
                show_confirmation(event)
    finally:
        if waiting is not None:
            waiting.stop()
    console.out("")


def show_confirmation(event: ConfirmationNeeded) -> None:
    """The exact effect of a held action, and how to answer; outside text printed literally."""
    console.print(f"\n[bold]Waiting for your yes — action {event.action_id} ({escape(event.tool)}):[/]")
    console.print(Text(event.preview), style="on grey11")
    for reason in event.reasons:
        console.print(Text(f"  because {reason}"), style="dim")
    if event.foreign:  # the guard refuses a bare yes for these: say how to approve
        names = " and ".join(event.foreign)
        console.print(f"[bold]{escape(names)} did not come from you. To approve, type it back "
                      f"yourself after the yes: 'yes {event.action_id} <the exact {escape(names)}>'"
                      " ('yes' alone will not do it); 'no' cancels.[/]")
        return
    console.print(f"[dim]Answer 'yes {event.action_id}' to do it or 'no' to cancel.[/]")


@click.command()
@click.option("--show-memories", is_flag=True, help="Show which memories each reply recalled.")
@click.pass_obj
def chat(state: CliState, show_memories: bool) -> None:
    """Talk with os1 in the terminal (the default command).

    Ctrl-C stops a reply (what was said is kept); Ctrl-D or /quit leaves. /help lists commands.
    """
    with asyncio.Runner() as runner:
        runtime = runner.run(Runtime.open(state.settings, state.model_name))
        companion: Companion | None = None
        live: InitiativeThread | None = None
        try:
            if sys.stdin.isatty() and (runner.run(runtime.store.profile())).get("onboarded") != "yes":
                try:
                    answers = ask_questions()
                except (EOFError, KeyboardInterrupt):
                    console.print("\n[dim]Onboarding skipped; `os1 onboard` runs it later.[/]")
                    return
                with console.status("[dim]choosing a name...[/]", spinner="dots"):
                    persona = runner.run(run_onboarding(runtime.store, runtime.model, answers))
                    hello = runner.run(introduction(runtime.model, persona))
                console.print(f"\n[bold {CORAL}]{escape(persona.name)}[/]: {escape(hello)}\n")
            companion = runner.run(runtime.companion(interactive=True))
            runner.run(show_due(state, runtime.store))  # proposals that fell due while away
            live = InitiativeThread(state.settings, runtime.store.embedder, _print_between_lines)
            live.start()  # and those that fall due while the chat is open
            _start_reminders(state, runner.run(runtime.store.profile()))
            music = music_folder(state.settings)
            vision = state.settings.llm.models[runtime.model_name].vision
            _loop(runner, companion, show_memories, vision=vision, music_dir=music,
                  asking=Asking.of(runtime, companion),
                  agents=state.settings.agents, after_turn=lambda: hear_new(state, runtime.store))
        finally:
            if live is not None:
                live.stop()
            if companion is not None:
                runner.run(companion.drain())
            runner.run(runtime.close())


def _print_between_lines(plan: Plan) -> None:
    console.print()
    print_plan(plan)


def _start_reminders(state: CliState, profile: dict[str, str]) -> None:
    """Reminders before calendar events, printed while the chat runs (quiet hours respected,
    each given once, also across `os1 calendar remind`), in the profile's time zone."""
    settings = state.settings.calendar
    if not settings.url:
        return
    from os1.dav.calendar import Calendar
    from os1.dav.reminders import ReminderThread, Told, told_path
    from os1.timezones import zone_of

    def say(text: str) -> None:
        console.print(f"\n[bold {CORAL}]{escape(text)}[/]")

    told = Told(told_path(store_path(state.settings.home, state.settings.user).parent))
    ReminderThread(Calendar(settings, zone_of(profile)), timedelta(minutes=settings.reminder_minutes),
                   settings.quiet_hours, say, told=told).start()


def _loop(runner: asyncio.Runner, companion: Companion, show_memories: bool, *, vision: bool = False,
          music_dir: Path | None = None, asking: Asking | None = None,
          agents: AgentSettings | None = None,
          after_turn: Callable[[], Coroutine[Any, Any, None]] | None = None) -> None:
    slash = SlashCommands(companion, vision=vision, music_dir=music_dir)
    allowed: dict[str, Kind] = {}  # what the user let each agent receive, for this chat only
    console.print(f"[dim]Talking with {escape(companion.persona.name)}. /help for commands,"
                  " Ctrl-D to leave.[/]")
    while True:
        try:
            line = ask(f"[bold]{escape(companion.persona.user_name)}[/]: ")
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        if not line.strip():
            continue
        try:
            peer = agent_request(line, agents.a2a_peers) if agents is not None else None
            deed = recognise(line, tools=bool(companion.tools)) if asking is not None else None
            if peer is not None and agents is not None:  # "ask Sam what she thinks ...": over A2A, on yes
                ask_in_chat(runner, companion, agents, peer, line, allowed)
            elif deed is not None and asking is not None:  # "write a letter to Ana ...": the deed itself
                _answer(runner, asking, deed)
            elif line.startswith("/"):
                if not runner.run(slash.run(line)):
                    return
            else:
                runner.run(stream_turn(companion, line, show_memories=show_memories))
                if after_turn is not None:  # the initiative hears the words said
                    runner.run(after_turn())
        except KeyboardInterrupt:
            console.print("\n[dim](stopped; what was said is kept)[/]")
        except Os1Error as exc:
            err_console.print(f"[red]os1: error:[/] {escape(str(exc))}")


def _answer(runner: asyncio.Runner, asking: Asking, ask: Ask) -> None:
    """A request in plain words answered with the deed (``os1.asking``), shown in the terminal."""
    if isinstance(ask, LetterAsk):
        write_in_chat(runner, asking, ask)
        return
    with console.status("[dim]composing...[/]", spinner="dots"):
        answer = runner.run(asking.answer(ask))
    if isinstance(answer, Composed):
        show(answer.shared, asking.companion.persona.name, False)
    elif isinstance(answer, Refused):
        console.print(f"[dim]{escape(answer.text)}[/]")


@click.command()
@click.argument("text", required=False)
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object: reply, recalled memories, stored ids.")
@click.option("--at", "at", metavar="TIME",
              help="When it is said (like 2026-11-03 09:30; default: now), to replay dated turns.")
@click.option("-y", "--yes", is_flag=True,
              help="Keep a letter asked for (if every detail is grounded) without asking.")
@click.pass_obj
def say(state: CliState, text: str | None, as_json: bool, at: str | None, yes: bool) -> None:
    """Say TEXT (or stdin, with no TEXT or '-'), print the reply, and exit.

    Never waits for onboarding: until it is done, os1 uses its defaults. A letter asked for
    ("write a letter to Ana for her birthday") is drafted, checked and kept only on yes.
    """
    when = None if at is None else parse_time(at)  # a bad time: one line, nothing stored
    limit = state.settings.chat.max_input_chars
    message = read_stdin(limit) if text in (None, "-") else argument_text(text or "")
    try:
        asyncio.run(_say(state, message, as_json, when, yes))
    except KeyboardInterrupt:
        console.out("")
        sys.exit(130)


async def _say(state: CliState, text: str, as_json: bool, at: float | None, yes: bool) -> None:
    runtime = await Runtime.open(state.settings, state.model_name)
    try:
        companion = await runtime.companion()
        ask = recognise(text, tools=bool(companion.tools))
        if ask is not None:  # a piece, a letter, or what works without tools: the deed itself
            asking = Asking.of(runtime, companion)
            await _said_asked(asking, await asking.answer(ask), as_json, yes)
            return
        recalled: list[dict[str, object]] = []
        done: TurnDone | None = None
        held: list[dict[str, object]] = []
        async for event in companion.respond(text, at=at):
            if isinstance(event, Recalled):
                recalled = [m.to_dict() for m in event.memories]
            elif isinstance(event, TextDelta) and not as_json:
                console.out(event.text, end="")
            elif isinstance(event, ConfirmationNeeded):
                held.append({"action_id": event.action_id, "tool": event.tool, "preview": event.preview,
                             "reasons": list(event.reasons), "foreign": dict(event.foreign)})
                if not as_json:
                    show_confirmation(event)
            elif isinstance(event, TurnDone):
                done = event
        await companion.drain()
        if as_json and done is not None:
            click.echo(json.dumps({"reply": done.reply, "recalled": recalled,
                                    "user_id": done.user_id, "reply_id": done.reply_id,
                                    "confirmations": held}))
        elif not as_json:
            console.out("")
    finally:
        await runtime.close()


async def _said_asked(asking: Asking, answer: Answer, as_json: bool, yes: bool) -> None:
    """``os1 say``'s rendering of a request answered with a deed; a letter kept only on yes."""
    out: dict[str, object] = {"recalled": [], "user_id": None, "reply_id": None, "confirmations": []}
    if isinstance(answer, Refused):
        out |= {"reply": answer.text, "needs_tools": True}
        if not as_json:
            console.print(Text(answer.text))
    elif isinstance(answer, Composed):
        out |= {"reply": answer.shared.said, "piece": answer.shared.to_dict()}
        if not as_json:
            show(answer.shared, asking.companion.persona.name, False)
    else:
        out |= {"reply": answer.said(), "letter": await _say_letter(asking, answer, as_json, yes)}
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False))


async def _say_letter(asking: Asking, drafted: Drafted, as_json: bool, yes: bool) -> dict[str, object]:
    """Show the draft and its check; keep it on ``--yes`` or a yes on the terminal."""
    flagged = drafted.draft.grounding.flagged
    if not as_json:
        console.print(escape(drafted.draft.text))
        show_grounding(drafted.draft.grounding)
    asked = not yes and not as_json and interactive()
    keep_flagged = asked and bool(flagged) and confirm(
        f"{len(flagged)} detail(s) are not grounded. Keep it anyway?", default=False, err=True)
    keep = yes or keep_flagged or (asked and not flagged
                                   and confirm("Keep it?", default=True, err=True))
    made = drafted.to_dict() | {"kept": None}
    if not keep:
        made["why"] = "not kept: no yes (--yes keeps it)"
    else:
        try:
            made["kept"] = (await asking.keep(drafted, keep_flagged=keep_flagged)).id
        except InputError as exc:
            made["why"] = str(exc)
    if not as_json:
        kept = made["kept"]
        console.print(f"[dim](kept as letter {kept}; `os1 letters show {kept}`)[/]" if kept
                      else f"[dim]({escape(str(made['why']))})[/]")
    return made
