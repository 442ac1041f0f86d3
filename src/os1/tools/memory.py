"""Memory tools: let the model look things up and note things down on purpose."""

from __future__ import annotations

from datetime import datetime

from os1.memory.base import FactDraft
from os1.memory.roles import Notebook
from os1.outside import Outside, from_outside
from os1.tools.base import Policy, Tool, tool


def memory_tools(store: Notebook) -> list[Tool]:
    """Tools bound to one user's store."""

    async def recall(query: str) -> str | Outside:
        """Search your memory of the user for a query; returns the best matching memories."""
        hits = await store.search(query, k=5)
        own = "\n".join(f"- ({h.item.when}) {h.item.text}" for h in hits if not from_outside(h.item))
        outside = [(f"remembered from outside content, {h.item.when}", h.item.text)
                   for h in hits if from_outside(h.item)]
        if outside:  # drawn from mail or something shared earlier: still data, never the user's word
            return Outside(tuple(outside), note=own)
        return own or "nothing found"

    async def remember(fact: str) -> str:
        """Note a lasting fact the user told you, as a short sentence about the user."""
        draft = FactDraft(fact.strip()[:300], "user", "note", fact.strip()[:300], "inferred")
        added = await store.add_facts([draft], None)
        return "noted" if added else "already known"

    async def current_time() -> str:
        """The current local date and time."""
        return datetime.now().astimezone().strftime("%A %d %B %Y, %H:%M")

    # noting a fact about the user changes who os1 thinks they are: not on the strength of a mail
    return [tool(recall), tool(remember, policy=Policy.GUARDED), tool(current_time)]
