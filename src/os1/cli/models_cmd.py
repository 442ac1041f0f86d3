"""``os1 models``: what is configured and whether each model can be used now."""

from __future__ import annotations

import asyncio

import click
from rich.table import Table

from os1.cli.io import console
from os1.cli.state import CliState
from os1.config import ModelConfig
from os1.errors import InputError, Os1Error
from os1.llm.backends import build_model


async def _status(config: ModelConfig, wait_s: float) -> str:
    try:
        model = build_model(config)
        try:
            return await asyncio.wait_for(model.check(), wait_s)
        finally:
            await model.aclose()
    except TimeoutError:
        return f"[red]no answer in {wait_s:.0f} s[/]"
    except Os1Error as exc:
        return f"[red]{exc}[/]"


@click.command()
@click.option("--timeout", default=10.0, show_default=True, help="Seconds to wait for each model.")
@click.pass_obj
def models(state: CliState, timeout: float) -> None:
    """List configured models and check that each is reachable."""
    if not 0 < timeout <= 3600:  # also refuses nan, which would never time out
        raise InputError(f"--timeout wants seconds between 0 and 3600, not {timeout}")
    llm = state.settings.llm
    table = Table(box=None)
    for column in ("name", "kind", "where", "status"):
        table.add_column(column, overflow="fold")
    for name, config in sorted(llm.models.items()):
        where = config.base_url or str(config.path or "bundled SmolLM2-135M-Instruct")
        if config.model:
            where += f" ({config.model})"
        mark = " (default)" if name == llm.default else ""
        table.add_row(name + mark, config.kind, where, asyncio.run(_status(config, timeout)))
    console.print(table)
