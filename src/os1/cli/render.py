"""Rich renderings of memories."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from os1.memory.base import MemoryItem


def memory_table(items: Sequence[MemoryItem]) -> Table:
    table = Table(box=None, pad_edge=False)
    for column in ("id", "when", "kind", "text"):
        table.add_column(column, overflow="fold", no_wrap=column != "text")
    for item in items:
        kind = item.kind if item.kind == "fact" else f"{item.role} said"
        if item.valid_to is not None:
            kind += " (past)"
        text = item.text if len(item.text) <= 240 else item.text[:239] + "…"
        table.add_row(str(item.id), item.when, kind, Text(text))
    return table
