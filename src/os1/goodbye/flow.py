"""The goodbye in two steps: ``prepare`` writes the farewell letter and every export into a new
folder and verifies them; ``erase_all`` (only for a verified folder, after the person confirmed
twice, with the store closed) erases their data with proof and checks the bytes afterwards."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

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
        write_private(folder / "farewell.txt", letter)
        write_export(lines, folder)
        write_archive(k, letter, folder / "archive", music)
        write_handover(k, folder / "memory-folder")
        found = problems(k, folder)
        return Prepared(folder, k, letter, found, manifest(folder))
    except OSError as exc:  # a full disk, say: nothing is erased, and the person is told
        raise InputError(f"cannot write the goodbye into {folder}: {exc.strerror}") from None


def erase_all(prepared: Prepared, erased: list[Path], checked: list[Path]) -> Proof:
    """Erase the ``erased`` folders (the store must be closed), then read every file under
    ``checked`` for traces; the proof is written beside the export."""
    if not prepared.verified:
        raise Os1Error("the export was not verified: nothing was erased")
    proof = Proof()
    erase(erased, proof)
    check(checked, markers(prepared.keepsakes), proof, skip=prepared.folder.resolve())
    write_private(prepared.folder / PROOF, json.dumps(proof.to_dict(), indent=1) + "\n")
    return proof
