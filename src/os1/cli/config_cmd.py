"""``os1 config``: the effective settings, with secrets masked."""

from __future__ import annotations

import json

import click

from os1.cli.state import CliState
from os1.config import config_file, masked


@click.group()
def config() -> None:
    """Show settings and where they come from."""


@config.command()
@click.pass_obj
def show(state: CliState) -> None:
    """Print the effective settings (file + OS1_* variables + defaults) as JSON."""
    click.echo(f"# settings file: {config_file()}", err=True)
    click.echo(json.dumps(masked(state.settings), indent=2))


@config.command()
def path() -> None:
    """Print the path of the settings file."""
    click.echo(str(config_file()))
