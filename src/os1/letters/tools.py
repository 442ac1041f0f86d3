"""The ``write_letter`` tool: a capable model can draft a letter when the user asks for one in
its own words, as ``os1 letters new`` and the chat's "write a letter to ..." do.

Its policy is READ: it writes only the user's own letter store, and keeps the letter only when
every detail is grounded in what os1 remembers; a draft with details not grounded comes back
with them named and is not kept, so the grounding check holds whatever the model says. The
user's own letter draws only on their own memories, never on a client's brief."""

from __future__ import annotations

from collections.abc import Callable

from os1.errors import InputError, ToolFailed
from os1.letters.brief import make_brief
from os1.letters.recall import user_name
from os1.letters.studio import Studio
from os1.tools.base import Policy, Tool, tool


def letter_tools(studio: Callable[[], Studio]) -> list[Tool]:
    """Tools bound to one user's letter studio (opened when a letter is written)."""

    async def write_letter(to: str, occasion: str = "") -> str:
        """Write a letter from the user, in their own voice, to someone they know, from what you
        remember about that person; to: their name; occasion: what it is for ("her birthday")."""
        letters = studio()
        try:
            sender = await user_name(letters.memory) or "me"
            draft = await letters.draft(make_brief(to, sender, occasion=occasion))
            flagged = [d.text for d in draft.grounding.flagged]
            if flagged:
                return (f"{draft.text}\n\n(Not kept: not grounded in any memory: {', '.join(flagged)}."
                        " The user can edit it and keep it with `os1 letters new`.)")
            letter = await letters.keep(draft)
            return f"{draft.text}\n\n(Kept as letter {letter.id}; every detail is from a memory.)"
        except InputError as exc:
            raise ToolFailed(str(exc)) from None
        finally:
            await letters.letters.close()

    return [tool(write_letter, policy=Policy.READ)]
