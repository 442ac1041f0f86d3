"""Rich renderings of memories."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from os1.cli.io import CORAL, console
from os1.memory.base import MemoryItem
from os1.memory.sayings import for_person

if TYPE_CHECKING:
    from os1.shared import Shared


def memory_table(items: Sequence[MemoryItem]) -> Table:
    table = Table(box=None, pad_edge=False)
    for column in ("id", "when", "kind", "text"):
        table.add_column(column, overflow="fold", no_wrap=column != "text")
    for item in items:
        kind = item.kind if item.kind == "fact" else f"{item.role} said"
        if item.valid_to is not None:
            kind += " (past)"
        if item.private:
            kind += " (private)"
        text = for_person(item.text) if item.kind == "fact" else item.text
        text = text if len(text) <= 240 else text[:239] + "…"
        table.add_row(str(item.id), item.when, kind, Text(text))
    return table


def show(shared: Shared, name: str, as_json: bool) -> None:
    """What os1 perceived and said about something shared, and the memory it became."""
    if as_json:
        click.echo(json.dumps(shared.to_dict(), ensure_ascii=False))
        return
    console.print(f"[dim]{escape(shared.perceived)}[/]")
    if shared.said:
        console.print(f"[bold {CORAL}]{escape(name)}[/]: {escape(shared.said)}")
    state = "remembered as" if shared.new else "already remembered as"
    pictures = " and its pictures" if shared.moment.images else ""
    console.print(f"[dim]({state} memory {shared.moment.id}; `os1 memory forget "
                  f"{shared.moment.id}` forgets it{pictures})[/]")
