"""The Debian programs games need (stockfish, dfrotz), found on PATH or in /usr/games, where
Debian puts them; a missing one is one line saying how to install it."""

from __future__ import annotations

import os
import shutil

from os1.errors import Os1Error

GAMES_DIR = "/usr/games"
PACKAGES = {"stockfish": "stockfish", "dfrotz": "frotz"}


class MissingProgram(Os1Error):
    """A game's engine or interpreter is not installed."""


def find_program(name: str) -> str:
    """The path of ``name``, or MissingProgram with the apt line that installs it."""
    found = shutil.which(name) or shutil.which(name, path=GAMES_DIR)
    if found is None or not os.access(found, os.X_OK):
        package = PACKAGES.get(name, name)
        raise MissingProgram(f"{name} is not installed: sudo apt-get install {package}"
                             " (or run scripts/setup as root)")
    return found
