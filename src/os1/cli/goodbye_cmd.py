"""``os1 goodbye``: a farewell letter, everything exported and verified, then, only after two
confirmations, everything erased with proof."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import click
from rich.markup import escape

from os1.cli.io import argument_text, console, typed_word
from os1.cli.state import CliState
from os1.config import default_cache_dir
from os1.errors import ConfigError, InputError
from os1.goodbye.flow import PROOF, Prepared, erase_all, prepare
from os1.letters.keeping import LetterStore, letters_dir
from os1.memory.sqlite import store_path
from os1.music.folder import music_folder
from os1.runtime import open_store


async def _prepared(state: CliState, folder: Path) -> Prepared:
    settings = state.settings
    user_dir = store_path(settings.home, settings.user).parent
    store = await open_store(settings)
    letters = LetterStore(letters_dir(user_dir))
    try:
        return await prepare(store, settings.user, folder, user_dir=user_dir, letters=letters,
                             music=music_folder(settings))
    finally:
        await letters.close()
        await store.close()


def _confirmed(word: str, question: str) -> bool:
    return typed_word(question).lower() == word


@click.command()
@click.option("--to", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="A new folder for the letter and the export (default: os1-goodbye-USER-DATE here).")
@click.option("--keep", is_flag=True, help="Write the letter and the export, and erase nothing.")
@click.pass_obj
def goodbye(state: CliState, folder: Path | None, keep: bool) -> None:
    """Say goodbye: a letter from os1, everything exported, then erased (after two confirmations).

    The folder holds farewell.txt, memory.jsonl (the open os1-memory format), archive/index.html
    (readable in any browser), memory-folder/ (plain files for another assistant) and
    manifest.json. Nothing is erased unless the export reads back complete.
    """
    settings = state.settings
    if settings.memory.backend != "sqlite" and not keep:
        raise ConfigError("on a server, say goodbye to an account in the web app; here, use --keep")
    folder = Path(argument_text(str(folder))) if folder is not None else Path(
        f"os1-goodbye-{settings.user}-{time.strftime('%Y%m%d-%H%M%S')}")
    prepared = asyncio.run(_prepared(state, folder))
    console.print(escape(prepared.letter))
    counts = prepared.keepsakes.counts()
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    console.print(f"[dim]Exported to {escape(str(folder))}: {summary}"
                  + f"; {len(prepared.files)} files.[/]")
    if not prepared.verified:
        for problem in prepared.problems:
            console.print(f"[red]{escape(problem)}[/]")
        raise InputError("the export did not verify: nothing was erased")
    console.print("The export is verified: it reads back complete.")
    if keep:
        return
    if not _confirmed("goodbye", "Type 'goodbye' to erase everything os1 remembers about you"):
        console.print("Nothing was erased. Your export stays where it is.")
        return
    if not _confirmed("erase", "This cannot be undone. Type 'erase' to erase it now"):
        console.print("Nothing was erased. Your export stays where it is.")
        return
    user_dir = store_path(settings.home, settings.user).parent
    proof = asyncio.run(erase_all(prepared, [user_dir], [settings.home, default_cache_dir()]))
    size = sum(int(str(e["bytes"])) for e in proof.erased)
    left = ", ".join(proof.traces_found + proof.remaining)
    console.print(f"Erased {len(proof.erased)} files ({size:,} bytes). The check read {proof.checked_files} "
                  f"files ({proof.checked_bytes:,} bytes) for {proof.traces_looked_for} traces: "
                  + ("none found." if proof.clean else f"FOUND in {left}"))
    console.print(f"[dim]The proof is in {escape(str(folder / PROOF))}.[/]")
    if not proof.clean:
        raise InputError("traces remain after erasing; see the proof")
