"""os1's memory served over MCP (``os1 mcp serve``), for the one configured user: ``recall`` always,
read-only, never a memory the user keeps private; ``remember`` only when the user enables it
(``agents.serve_remember``). A fact another assistant notes is stored as outside content
(provenance ``external``), never as the user's own word, so it cannot later steer os1 as if the
user had said it.
"""

from __future__ import annotations

from mcp.server.fastmcp import FastMCP
from mcp.types import ToolAnnotations

from os1.errors import InputError
from os1.memory.base import FactDraft
from os1.memory.roles import Notebook
from os1.outside import clean_text, from_outside

MAX_QUERY_CHARS = 2_000
MAX_FACT_CHARS = 300
MAX_K = 50


def memory_server(store: Notebook, *, remember: bool = False) -> FastMCP:
    """An MCP server over one user's store; ``remember`` adds the one tool that writes."""
    server = FastMCP("os1", instructions="What os1 remembers about its user: search it with recall.")

    @server.tool(annotations=ToolAnnotations(readOnlyHint=True, openWorldHint=False))
    async def recall(query: str, k: int = 5) -> str:
        """Search os1's memory of the user; returns the best matching memories, newest facts first."""
        query = _checked(query, MAX_QUERY_CHARS, "query")
        wanted = max(1, min(k, MAX_K))
        # what the user keeps private is theirs alone: never served to another assistant
        hits = [h for h in await store.search(query, k=wanted * 3) if not h.item.private][:wanted]
        lines = [f"- ({h.item.when}){' [from outside content]' if from_outside(h.item) else ''} {h.item.text}"
                 for h in hits]
        return "\n".join(lines) or "nothing found"

    if remember:
        @server.tool(name="remember", annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=False,
                                                 idempotentHint=True, openWorldHint=False))
        async def remember_fact(fact: str) -> str:
            """Note a lasting fact about the user in os1's memory, as a short sentence."""
            text = _checked(fact, MAX_FACT_CHARS, "fact")
            draft = FactDraft(text, "user", "note", text, "external")
            return "noted" if await store.add_facts([draft], None) else "already known"

    return server


def _checked(text: str, limit: int, what: str) -> str:
    cleaned = clean_text(text)
    if not cleaned:
        raise InputError(f"empty {what}")
    if len(cleaned) > limit:
        raise InputError(f"{what} longer than {limit} characters")
    return cleaned
