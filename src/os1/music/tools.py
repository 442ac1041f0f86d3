"""The ``compose`` tool: the model itself can make a piano piece about a moment, as ``os1
compose`` and the chat's "play me something about ..." do. Registered through the plugin hook
``register_tools``, like any third party's tools.

Its policy is READ. Composing writes only inside os1's own data: MIDI and audio files in the
user's music folder and one memory of the piece (provenance ``assistant``), forgotten with
``os1 memory forget`` like any other. Nothing leaves the machine and nothing of the user's is
changed or deleted, so it may run alone, even in a turn that read outside content (the worst a
mail could do is ask for a piece of music). The same moment gives the same piece, kept once, so
repeated calls add nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from os1.config import Settings
from os1.errors import InputError, ToolFailed
from os1.hookspecs import hookimpl
from os1.memory.roles import Composing
from os1.music.folder import music_folder
from os1.tools.base import Policy, Tool, tool


@hookimpl
def register_skill_tools(settings: Settings, store: Composing,
                         register: Callable[[Sequence[Tool], None], None]) -> None:
    """``compose`` for the user whose store and settings a companion is built with."""
    register(music_tools(store, music_folder(settings)), None)


def music_tools(store: Composing, folder: Path) -> list[Tool]:
    """Tools bound to one user's store, writing pieces into ``folder``."""

    async def compose(about: str = "") -> str:
        """Compose a short piano piece (MIDI and audio) about a moment shared with the user;
        about: words naming it ("that evening", "the film"), a memory id, or empty for the
        latest thing they showed you."""
        from os1.music.composer import Composer  # the MIDI and synthesis libraries, only when used

        try:
            shared = await Composer(store, folder).compose(about.strip() or None)
        except InputError as exc:
            raise ToolFailed(str(exc)) from None
        return f"Composed: {shared.perceived}. {shared.said}"

    return [tool(compose, policy=Policy.READ)]
