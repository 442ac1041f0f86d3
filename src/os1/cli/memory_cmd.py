"""``os1 memory``: see, search, keep private, forget and export what os1 remembers."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from pathlib import Path
from typing import TypeVar

import click
from rich.text import Text

from os1.cli.io import ROW_ID, confirm, console
from os1.cli.render import memory_table
from os1.cli.state import CliState
from os1.errors import ConfigError, InputError, MemoryStoreError
from os1.files import write_private
from os1.memory.base import MemoryItem
from os1.memory.history.chatgpt import read_chatgpt
from os1.memory.history.importing import import_history
from os1.memory.history.transcript import read_transcript
from os1.memory.portability import export_lines, import_export, read_export
from os1.memory.roles import Curation
from os1.memory.sqlite import encrypt_file, store_path
from os1.memory.store.memory import Memory
from os1.memory.summaries import Summary
from os1.runtime import open_store

T = TypeVar("T")


def _with_store(state: CliState, work: Callable[[Memory], Awaitable[T]]) -> T:
    async def with_open_store() -> T:
        store = await open_store(state.settings)
        try:
            return await work(store)
        finally:
            await store.close()

    return asyncio.run(with_open_store())


@click.group()
def memory() -> None:
    """See and control what os1 remembers about you."""


@memory.command("list")
@click.option("--kind", type=click.Choice(["utterance", "fact"]), help="Only this kind.")
@click.option("-n", "--limit", type=click.IntRange(1, 100_000), default=30, show_default=True,
              help="How many, newest first.")
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
@click.option("-n", "--limit", default=20, show_default=True, type=click.IntRange(1, 1000),
              help="How many sessions, newest first.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of text.")
@click.pass_obj
def summaries(state: CliState, limit: int, as_json: bool) -> None:
    """Each conversation's summary: when it was, how long, and its most central lines.

    Summaries follow what is remembered: forgetting or editing a memory rebuilds its session's.
    """
    async def summarize_and_list(store: Memory) -> list[Summary]:
        await store.summarize()  # bring any stale one up to date first
        return await store.summaries(limit)

    found = _with_store(state, summarize_and_list)
    for summary in found:
        if as_json:
            click.echo(json.dumps(asdict(summary)))
        else:
            console.print(Text(f"session {summary.session_id} ({summary.turns} turns)", style="bold"))
            console.print(Text(summary.text))
    if not found and not as_json:
        console.print("No conversations yet.")


@memory.command()
@click.argument("query")
@click.option("-k", default=10, show_default=True, type=click.IntRange(1, 200),
              help="How many results.")
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
        console.print(Text(f"Nothing found for {query!r}."))


@memory.command()
@click.argument("memory_id", type=ROW_ID)
@click.option("--all", "everything", is_flag=True,
              help="Also forget, without asking, everything else that says it.")
@click.option("--only", is_flag=True, help="Forget only this memory, without asking.")
@click.option("--no-compact", is_flag=True, help="Skip rewriting the file (faster; see `compact`).")
@click.pass_obj
def forget(state: CliState, memory_id: int, everything: bool, only: bool, no_compact: bool) -> None:
    """Delete memory ID for good: its row, vector, word index entry and the facts drawn from it.

    A fact is a thing you said: the sentence you said it in, os1's replies that repeat it and
    other facts with the same value say it too. They are listed, and forgotten as well on yes
    (or with --all); with --only, or when no one is there to answer, only ID is. Then the store
    is compacted, so the forgotten text is gone from the file and its log too.
    """
    if everything and only:
        raise InputError("choose --all or --only, not both")

    async def forget_and_compact(store: Curation) -> int:
        ids = [memory_id]
        if not only:
            ids = await _what_to_forget(store, memory_id, everything)
        gone = await store.forget_all(ids)
        if gone and not no_compact:
            await store.compact()
        return gone

    gone = _with_store(state, forget_and_compact)
    if not gone:
        raise MemoryStoreError(f"no memory with id {memory_id}")
    click.echo(f"Forgot memory {memory_id}." if gone == 1 else f"Forgot {gone} memories.")


async def _what_to_forget(store: Curation, memory_id: int, everything: bool) -> list[int]:
    """ID and, if the user agrees, everything else that says it: what ``forget`` would not
    take with it anyway (the facts drawn from ID) is listed and asked about."""
    items = await store.saying(memory_id)
    others = [i for i in items[1:] if i.source_id != memory_id]
    if not others or everything:
        return [i.id for i in items]
    console.print(Text(f"These {len(others)} memories say it too:"))
    console.print(memory_table(others))
    if not sys.stdin.isatty():
        console.print(Text(f"Forgetting only {memory_id}; `os1 memory forget {memory_id} --all` "
                           "forgets them too."))
        return [memory_id]
    if confirm("Forget them as well?", default=True):
        return [i.id for i in items]
    return [memory_id]


@memory.command()
@click.pass_obj
def encrypt(state: CliState) -> None:
    """Encrypt an existing plain store with the key in memory.encryption_key.

    Set the key first (OS1_MEMORY__ENCRYPTION_KEY or the settings file); keep it safe: without
    it the memories cannot be read. Close other os1 processes before running this.
    """
    key = state.settings.memory.encryption_key
    if key is None:
        raise ConfigError("set memory.encryption_key (e.g. OS1_MEMORY__ENCRYPTION_KEY) first")
    path = store_path(state.settings.home, state.settings.user)
    if not path.exists():
        raise MemoryStoreError(f"no store at {path} yet: it will be created encrypted")
    encrypt_file(path, key.get_secret_value())
    _with_store(state, lambda s: s.count())  # proves the key opens it
    click.echo(f"Encrypted {path}.")


@memory.command()
@click.pass_obj
def compact(state: CliState) -> None:
    """Rewrite the store so nothing forgotten survives in the file or its write-ahead log."""
    _with_store(state, lambda s: s.compact())
    click.echo("Compacted.")


@memory.command()
@click.argument("memory_id", type=ROW_ID)
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.pass_obj
def show(state: CliState, memory_id: int, as_json: bool) -> None:
    """Show one memory with where it came from and, for a fact, every value it has had."""
    async def item_and_related(store: Curation) -> tuple[MemoryItem | None, dict[str, list[MemoryItem]]]:
        item = await store.get(memory_id)
        return item, (await store.related(memory_id) if item else {})

    item, related = _with_store(state, item_and_related)
    if item is None:
        raise MemoryStoreError(f"no memory with id {memory_id}")
    if as_json:
        click.echo(json.dumps({**item.to_dict(),
                               **{k: [m.to_dict() for m in v] for k, v in related.items()}}))
        return
    console.print(memory_table([item]))
    for title, key in (("From", "source"), ("Facts drawn from it", "derived"), ("History", "history")):
        if related[key] and (key != "history" or len(related[key]) > 1):
            console.print(f"\n[bold]{title}[/]")
            console.print(memory_table(related[key]))


@memory.command()
@click.argument("memory_id", type=ROW_ID)
@click.argument("text")
@click.pass_obj
def edit(state: CliState, memory_id: int, text: str) -> None:
    """Replace the text of memory ID (its search entries follow)."""
    if _with_store(state, lambda s: s.edit(memory_id, text)) is None:
        raise MemoryStoreError(f"no memory with id {memory_id}")
    click.echo(f"Edited memory {memory_id}.")


@memory.command("private")
@click.argument("memory_id", type=ROW_ID)
@click.option("--undo", is_flag=True, help="Share it again: os1 may bring it up and journal it.")
@click.pass_obj
def private(state: CliState, memory_id: int, undo: bool) -> None:
    """Keep memory ID between you and os1, with what says the same thing.

    A fact goes with the sentence it was drawn from and that sentence's other facts; a sentence
    with its facts. os1 still recalls them when you talk, but never follows up on them, never
    writes about them in its journal and never tells them to another agent or assistant.
    """
    changed = _with_store(state, lambda s: s.keep_private([memory_id], private=not undo))
    if not changed:
        raise MemoryStoreError(f"no memory with id {memory_id}")
    ids = ", ".join(str(m.id) for m in changed)
    click.echo(f"Shared again: {ids}." if undo else f"Kept private: {ids}.")


@memory.command("import")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.pass_obj
def import_(state: CliState, path: Path) -> None:
    """Add the memories of an export (JSONL or JSON) to this store; repeats are skipped."""
    header, items = read_export(path)
    added = _with_store(state, lambda s: import_export(s, header, items))
    click.echo(f"Imported {added} new memories from {path} ({len(items)} in the file).")


@memory.command("import-history")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--format", "fmt", type=click.Choice(["auto", "transcript", "chatgpt"]), default="auto",
              show_default=True, help="A plain transcript, or ChatGPT's conversations.json (or its "
              "export's zip); auto: by the file's name.")
@click.option("--user", "user", metavar="NAME", help="In a transcript, the speaker who is you.")
@click.pass_obj
def import_history_(state: CliState, path: Path, fmt: str, user: str | None) -> None:
    """Bring past conversations in with their dates, and learn the facts they state."""
    data = path.read_bytes()
    if fmt == "chatgpt" or (fmt == "auto" and path.suffix.lower() in (".json", ".zip")):
        conversations = read_chatgpt(data, str(path))
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{path} is not UTF-8 text") from None
        conversations = read_transcript(text, user, str(path))
    done = _with_store(state, lambda s: import_history(s, conversations))
    click.echo(f"Imported {done.messages} new messages in {done.conversations} conversations from "
               f"{path}; learned {done.facts} facts.")


@memory.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json"]), default="jsonl",
              show_default=True,
              help="JSON Lines (a header line, then one memory a line), or one JSON document.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write to this file instead of stdout.")
@click.pass_obj
def export(state: CliState, fmt: str, output: Path | None) -> None:
    """Export every memory and the profile in an open format (docs/memory-format.md)."""
    header, *items = _with_store(state, lambda s: export_lines(s, state.settings.user))
    if fmt == "jsonl":
        text = "\n".join(json.dumps(x, ensure_ascii=False) for x in [header, *items]) + "\n"
    else:
        text = json.dumps({**header, "memories": items}, ensure_ascii=False, indent=1) + "\n"
    if output:
        try:
            write_private(output, text)  # 0600: everything os1 remembers about the user
        except OSError as exc:
            raise InputError(f"cannot write {output}: {exc.strerror}") from None
        click.echo(f"Exported {len(items)} memories to {output}.", err=True)
    else:
        click.echo(text, nl=False)
