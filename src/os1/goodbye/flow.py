"""The goodbye in two steps: ``prepare`` writes the farewell letter and every export into a new
folder and verifies them; ``erase_all`` (only for a verified folder, after the person confirmed
twice, with the store closed) erases their data with proof and checks the bytes afterwards.

The same flow serves ``os1 goodbye`` and an account of ``os1 serve`` (``os1.server.leaving``):
a server hands ``erase_all`` its ``Rows`` too (the person's rows in the shared database, their
Redis keys), erased and then counted again for the proof. Between the two steps a server may
have heard more: ``reverify`` reads the store again and checks the folder still holds it all."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from os1.errors import InputError, Os1Error
from os1.files import private_dir, write_private
from os1.goodbye.archive import write_archive
from os1.goodbye.erasing import Proof, check, erase, markers
from os1.goodbye.farewell import farewell
from os1.goodbye.handover import write_handover
from os1.goodbye.keepsakes import GoodbyeMemory, Keepsakes, gather
from os1.goodbye.verify import manifest, problems, write_export
from os1.letters.keeping import LetterStore
from os1.memory.portability import export_lines

PROOF = "erasure-proof.json"
LETTER = "farewell.txt"


class Rows(Protocol):
    """What a person has beyond their files, on a server: rows in the shared database, keys in
    Redis. Each count is keyed by where it lies (``"postgres:os1_memories"``, ``"redis"``)."""

    async def erase(self) -> dict[str, int]:
        """Delete them all; how many went, per place."""
        ...

    async def left(self) -> dict[str, int]:
        """Count them again; how many remain, per place."""
        ...


@dataclass
class Prepared:
    """A goodbye folder, written and checked."""

    folder: Path
    keepsakes: Keepsakes
    letter: str
    problems: list[str]
    files: dict[str, str] = field(default_factory=dict)  # path in the folder -> SHA-256

    @property
    def verified(self) -> bool:
        return not self.problems


def _new_folder(folder: Path, user_dir: Path) -> None:
    folder = folder.resolve()
    if folder.is_relative_to(user_dir.resolve()):
        raise InputError(f"{folder} is inside the data that will be erased: choose another folder")
    try:
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise InputError(f"{folder} is not an empty folder: choose a new folder for the goodbye")
        private_dir(folder)
    except OSError as exc:
        raise InputError(f"cannot make the folder {folder}: {exc.strerror}") from None


async def prepare(store: GoodbyeMemory, user: str, folder: Path, *, user_dir: Path,
                  letters: LetterStore | None = None, music: Path | None = None) -> Prepared:
    """Write the letter, the export, the archive and the hand-over into ``folder``; verify them."""
    _new_folder(folder, user_dir)
    k = await gather(store, user, letters)
    letter = farewell(k)
    lines = await export_lines(store, user)
    try:
        write_private(folder / LETTER, letter)
        write_export(lines, folder)
        write_archive(k, letter, folder / "archive", music)
        write_handover(k, folder / "memory-folder")
        found = problems(k, folder)
        return Prepared(folder, k, letter, found, manifest(folder))
    except OSError as exc:  # a full disk, say: nothing is erased, and the person is told
        raise InputError(f"cannot write the goodbye into {folder}: {exc.strerror}") from None


async def reverify(store: GoodbyeMemory, user: str, folder: Path,
                   letters: LetterStore | None = None) -> Prepared:
    """A folder ``prepare`` wrote, checked again against the store as it is now (a server may
    have heard more since): anything not in the export is a problem, and nothing is erased."""
    k = await gather(store, user, letters)
    try:
        letter = (folder / LETTER).read_text(encoding="utf-8")
    except OSError:
        return Prepared(folder, k, "", [f"the goodbye folder {folder} is gone: prepare it again"])
    return Prepared(folder, k, letter, problems(k, folder))


async def erase_all(prepared: Prepared, erased: list[Path], checked: list[Path], *,
                    rows: Rows | None = None, skip: Sequence[Path] = ()) -> Proof:
    """Erase the ``erased`` folders (the store must be closed) and the ``rows``, count the rows
    again, then read every file under ``checked`` (but the export and ``skip``) for traces; the
    proof is written beside the export."""
    if not prepared.verified:
        raise Os1Error("the export was not verified: nothing was erased")
    proof = Proof()
    if rows is not None:
        proof.rows_erased = await rows.erase()
    await asyncio.to_thread(erase, erased, proof)
    if rows is not None:
        proof.rows_left = {where: n for where, n in (await rows.left()).items() if n}
    await asyncio.to_thread(check, checked, markers(prepared.keepsakes), proof,
                            (prepared.folder.resolve(), *skip))
    write_private(prepared.folder / PROOF, json.dumps(proof.to_dict(), indent=1) + "\n")
    return proof
