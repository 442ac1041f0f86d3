"""Entry point: load settings once, dispatch to a command, and turn every os1 error into one line
on stderr with a non-zero exit status."""

from __future__ import annotations

import logging
import os
import sys

import click
from click_default_group import DefaultGroup

from os1.cli.state import CliState
from os1.config import load_settings
from os1.errors import InputError, Os1Error


class Os1Group(DefaultGroup):  # type: ignore[misc]
    """Runs ``chat`` when no command is given and reports os1 errors in one line."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except Os1Error as exc:
            click.echo(f"os1: error: {exc}", err=True)
            sys.exit(2 if isinstance(exc, InputError) else 1)
        except KeyboardInterrupt:
            click.echo("", err=True)
            sys.exit(130)
        except BrokenPipeError:  # e.g. `os1 memory list --json | head -1`: the reader left
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)


@click.group(cls=Os1Group, default="chat", default_if_no_args=True)
@click.option("-m", "--model", "model_name", metavar="NAME",
              help="Use this configured model instead of the default (see `os1 models`).")
@click.option("-v", "--verbose", is_flag=True, help="Log details to stderr.")
@click.version_option(package_name="os1")
@click.pass_context
def cli(ctx: click.Context, model_name: str | None, verbose: bool) -> None:
    """os1: a companion that talks with you and gets to know you.

    With no command, starts a conversation (`os1 chat`).
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="os1: %(levelname)s: %(message)s")
    try:
        ctx.obj = CliState(load_settings(), model_name)
    except Os1Error as exc:
        click.echo(f"os1: error: {exc}", err=True)
        sys.exit(1)


def _register() -> None:
    from os1.cli import (
        a2a_cmd,
        chat,
        config_cmd,
        dav_cmd,
        goodbye_cmd,
        initiative_cmd,
        inner_cmd,
        letters_cmd,
        mail_cmd,
        mcp_cmd,
        memory_cmd,
        models_cmd,
        music_cmd,
        onboard_cmd,
        play_cmd,
        serve_cmd,
        share_cmd,
        voice_cmd,
    )

    cli.add_command(chat.chat)
    cli.add_command(serve_cmd.serve)
    cli.add_command(serve_cmd.users)
    cli.add_command(chat.say)
    cli.add_command(onboard_cmd.onboard)
    cli.add_command(memory_cmd.memory)
    cli.add_command(models_cmd.models)
    cli.add_command(config_cmd.config)
    cli.add_command(mail_cmd.mail)
    cli.add_command(dav_cmd.calendar)
    cli.add_command(dav_cmd.contacts)
    cli.add_command(dav_cmd.actions)
    cli.add_command(voice_cmd.talk)
    cli.add_command(voice_cmd.transcribe)
    cli.add_command(voice_cmd.speak)
    cli.add_command(share_cmd.share)
    cli.add_command(share_cmd.look)
    cli.add_command(share_cmd.listen)
    cli.add_command(music_cmd.compose)
    cli.add_command(music_cmd.music)
    cli.add_command(play_cmd.play)
    cli.add_command(letters_cmd.letters)
    cli.add_command(initiative_cmd.initiative)
    cli.add_command(mcp_cmd.mcp)
    cli.add_command(a2a_cmd.meet)
    cli.add_command(inner_cmd.journal)
    cli.add_command(inner_cmd.status)
    inner_cmd.persona.add_command(a2a_cmd.persona_serve)  # os1's own persona; serve: another OS
    cli.add_command(inner_cmd.persona)
    cli.add_command(goodbye_cmd.goodbye)


_register()


def main() -> None:
    cli(prog_name="os1")
