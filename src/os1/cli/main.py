"""Entry point: load settings once, dispatch to a command, and turn every os1 error into one line
on stderr with a non-zero exit status."""

from __future__ import annotations

import logging
import os
import sys
from importlib import import_module

import click
from click_default_group import DefaultGroup

from os1.cli.state import CliState
from os1.config import load_settings
from os1.errors import InputError, Os1Error


class Os1Group(DefaultGroup):  # type: ignore[misc]
    """Runs ``chat`` when no command is given and reports os1 errors in one line; loads each
    command's module only when that command is asked for (``COMMANDS``)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:  # as ``DefaultGroup`` does: the words go to the default
            ctx.arg0 = cmd_name  # type: ignore[attr-defined]
            cmd_name = self.default_cmd_name
        return _command(cmd_name)

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


# each command and where it lives: a module is imported when its command runs (or ``--help``
# lists it), so ``os1 memory list`` does not load the voice, mail and server stacks
COMMANDS: dict[str, tuple[str, str]] = {
    "chat": ("chat", "chat"), "say": ("chat", "say"), "serve": ("serve_cmd", "serve"),
    "users": ("serve_cmd", "users"), "onboard": ("onboard_cmd", "onboard"),
    "memory": ("memory_cmd", "memory"), "models": ("models_cmd", "models"),
    "config": ("config_cmd", "config"), "mail": ("mail_cmd", "mail"),
    "calendar": ("dav_cmd", "calendar"), "contacts": ("dav_cmd", "contacts"),
    "actions": ("dav_cmd", "actions"), "talk": ("voice_cmd", "talk"),
    "transcribe": ("voice_cmd", "transcribe"), "speak": ("voice_cmd", "speak"),
    "share": ("share_cmd", "share"), "look": ("share_cmd", "look"), "listen": ("share_cmd", "listen"),
    "compose": ("music_cmd", "compose"), "music": ("music_cmd", "music"), "play": ("play_cmd", "play"),
    "letters": ("letters_cmd", "letters"), "initiative": ("initiative_cmd", "initiative"),
    "mcp": ("mcp_cmd", "mcp"), "meet": ("a2a_cmd", "meet"), "journal": ("inner_cmd", "journal"),
    "status": ("inner_cmd", "status"), "persona": ("inner_cmd", "persona"),
    "goodbye": ("goodbye_cmd", "goodbye"),
}


def _command(name: str) -> click.Command | None:
    """The command ``name``, its module imported now."""
    if name not in COMMANDS:
        return None
    module, attr = COMMANDS[name]
    command: click.Command = getattr(import_module(f"os1.cli.{module}"), attr)
    if name == "persona" and isinstance(command, click.Group) and "serve" not in command.commands:
        # os1's own persona; `persona serve`: another OS, which lives with the agents' commands
        command.add_command(import_module("os1.cli.a2a_cmd").persona_serve)
    return command


def main() -> None:
    cli(prog_name="os1")
