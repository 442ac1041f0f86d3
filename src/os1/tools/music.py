"""The ``compose`` tool: the model itself can make a piano piece about a moment, as ``os1
compose`` and the chat's "play me something about ..." do.

Its policy is READ. Composing writes only inside os1's own data: MIDI and audio files in the
user's music folder and one memory of the piece (provenance ``assistant``), forgotten with
``os1 memory forget`` like any other. Nothing leaves the machine and nothing of the user's is
changed or deleted, so it may run alone, even in a turn that read outside content (the worst a
mail could do is ask for a piece of music). The same moment gives the same piece, kept once, so
repeated calls add nothing."""

from __future__ import annotations

from pathlib import Path

from os1.errors import InputError, ToolFailed
from os1.memory.roles import Composing
from os1.tools.base import Policy, Tool, tool


def music_tools(store: Composing, folder: Path) -> list[Tool]:
    """Tools bound to one user's store, writing pieces into ``folder``."""

    async def compose(about: str = "") -> str:
        """Compose a short piano piece (MIDI and audio) about a moment shared with the user;
        about: words naming it ("that evening", "the film"), a memory id, or empty for the
        latest thing they showed you."""
        from os1.share.music import Composer  # the MIDI and synthesis libraries, only when used

        try:
            shared = await Composer(store, folder).compose(about.strip() or None)
        except InputError as exc:
            raise ToolFailed(str(exc)) from None
        return f"Composed: {shared.perceived}. {shared.said}"

    return [tool(compose, policy=Policy.READ)]
