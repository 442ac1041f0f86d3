"""``os1 onboard``: the first-start questions, rerun at will or answered from a file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click
from rich.markup import escape

from os1.agent.onboarding import QUESTIONS, answers_from_file, introduction, run_onboarding
from os1.cli.io import CORAL, ask, console
from os1.cli.state import CliState
from os1.errors import InputError
from os1.runtime import Runtime


def ask_questions() -> dict[str, str]:
    """Ask each question at the terminal (Enter skips the skippable ones)."""
    console.print(f"[bold {CORAL}]OS1[/] [dim]- a few questions before we begin.[/]\n")
    answers: dict[str, str] = {}
    for question in QUESTIONS:
        answers[question.key] = ask(f"[bold]{question.text}[/] ").strip()
    return answers


@click.command()
@click.option("--answers", "answers_file", type=click.Path(path_type=Path, dir_okay=False),
              help='JSON object of answers: {"user_name", "social", "mother", "voice", "on_mind"}.')
@click.pass_obj
def onboard(state: CliState, answers_file: Path | None) -> None:
    """Answer the first-start questions; the OS then names itself and says hello."""
    try:
        answers = answers_from_file(answers_file) if answers_file else ask_questions()
    except EOFError:
        raise InputError("onboarding needs answers: run it in a terminal, or use --answers FILE") from None
    asyncio.run(_onboard(state, answers))


async def _onboard(state: CliState, answers: dict[str, str]) -> None:
    runtime = await Runtime.open(state.settings, state.model_name)
    try:
        persona = await run_onboarding(runtime.store, runtime.model, answers)
        hello = await introduction(runtime.model, persona)
        console.print(f"[bold {CORAL}]{escape(persona.name)}[/]: {escape(hello)}")
    finally:
        await runtime.close()
