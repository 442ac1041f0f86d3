"""Where a user's composed pieces live: the ``music`` folder beside their memory, on this
machine whichever backend holds the memory."""

from __future__ import annotations

from pathlib import Path

from os1.config import Settings
from os1.memory.moments import music_dir
from os1.memory.sqlite import store_path


def music_folder(settings: Settings) -> Path:
    """The folder of the user's composed pieces, beside their memory."""
    return music_dir(store_path(settings.home, settings.user).parent)
