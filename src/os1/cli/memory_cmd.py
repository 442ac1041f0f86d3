"""``os1 memory``: see, search, forget and export what os1 remembers."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click

from os1.cli.io import console
from os1.cli.main import CliState
from os1.cli.render import memory_table
from os1.memory.embedders import load_embedder
from os1.memory.sqlite import SQLiteMemory, store_path

T = TypeVar("T")
EXPORT_FORMAT = "os1-memory"
EXPORT_VERSION = 1


def _with_store(state: CliState, work: Callable[[SQLiteMemory], Awaitable[T]]) -> T:
    async def go() -> T:
        settings = state.settings
        store = await SQLiteMemory.open(store_path(settings.home, settings.user),
                                        load_embedder(settings.memory.embedder))
        try:
            return await work(store)
        finally:
            await store.close()

    return asyncio.run(go())


@click.group()
def memory() -> None:
    """See and control what os1 remembers about you."""


@memory.command("list")
@click.option("--kind", type=click.Choice(["utterance", "fact"]), help="Only this kind.")
@click.option("-n", "--limit", default=30, show_default=True, help="How many, newest first.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
@click.pass_obj
def list_(state: CliState, kind: str | None, limit: int, as_json: bool) -> None:
    """List memories, newest first."""
    items = _with_store(state, lambda s: s.list_memories(kind=kind, limit=limit))  # type: ignore[arg-type]
    if as_json:
        for item in items:
            click.echo(json.dumps(item.to_dict()))
    elif items:
        console.print(memory_table(items))
    else:
        console.print("No memories yet.")


@memory.command()
@click.argument("query")
@click.option("-k", default=10, show_default=True, help="How many results.")
@click.option("--json", "as_json", is_flag=True, help="One JSON array with scores.")
@click.pass_obj
def search(state: CliState, query: str, k: int, as_json: bool) -> None:
    """Search memories by words and meaning."""
    hits = _with_store(state, lambda s: s.search(query, k=k))
    if as_json:
        click.echo(json.dumps([{**h.item.to_dict(), "score": round(h.score, 5)} for h in hits]))
    elif hits:
        console.print(memory_table([h.item for h in hits]))
    else:
        console.print(f"Nothing found for {query!r}.")


@memory.command()
@click.argument("memory_id", type=int)
@click.pass_obj
def forget(state: CliState, memory_id: int) -> None:
    """Delete memory ID for good: its row, vector, word index entry and derived facts."""
    if _with_store(state, lambda s: s.forget(memory_id)):
        click.echo(f"Forgot memory {memory_id}.")
    else:
        raise click.ClickException(f"no memory with id {memory_id}")


@memory.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json"]), default="jsonl",
              show_default=True,
              help="JSON Lines (a header line, then one memory a line), or one JSON document.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write to this file instead of stdout.")
@click.pass_obj
def export(state: CliState, fmt: str, output: Path | None) -> None:
    """Export every memory and the profile in an open format (docs/memory-format.md)."""
    async def collect(store: SQLiteMemory) -> tuple[list[dict[str, object]], dict[str, str]]:
        return await store.export(), await store.profile()

    items, profile = _with_store(state, collect)
    header = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "user": state.settings.user,
              "exported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "profile": profile}
    if fmt == "jsonl":
        text = "\n".join(json.dumps(x, ensure_ascii=False) for x in [header, *items]) + "\n"
    else:
        text = json.dumps({**header, "memories": items}, ensure_ascii=False, indent=1) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Exported {len(items)} memories to {output}.", err=True)
    else:
        click.echo(text, nl=False)
