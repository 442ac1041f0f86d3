"""What os1 knows of a person, served over MCP (``os1 mcp serve``, and ``/mcp`` of ``os1 serve``
in multi mode) to another assistant or editor.

Read tools: ``recall`` (search), ``list_memories``, ``moments``, ``letters``, ``letter`` and
``upcoming`` (the calendar). Tools that write: ``remember`` and ``forget``. Every call passes a
door first (``Doors``): it names the person whose data the call may reach (the one configured
user, or in multi mode the owner of the API token the request shows) and what this client may
use. A client may use only what it was granted; anything else is one line saying how to grant it.

Everything returned is the person's own data. Everything a client sends in is outside content:
a fact noted by ``remember`` is stored with provenance ``external`` and a label naming the
client (``[MCP client NAME] ...``), never as the person's own word, so it cannot later steer
os1 as if they had said it. ``forget`` is the forgetting ``os1 memory forget --only`` does (the
row, its vector and index entries, the facts drawn from it, then the file compacted).

Listing and searching go through the store's own read paths (``search``, ``list_memories``,
``moments``), so whatever those leave out is left out here too; and a memory the person keeps
private is theirs alone, never served to another assistant.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from mcp.server.fastmcp import Context, FastMCP
from mcp.types import ToolAnnotations

from os1.agents.mcp_consent import Use
from os1.errors import InputError
from os1.memory.base import FactDraft, MemoryItem
from os1.outside import clean_text, from_outside

MAX_QUERY_CHARS = 2_000
MAX_FACT_CHARS = 300
MAX_K = 50
MAX_DAYS = 366
READ = ToolAnnotations(readOnlyHint=True, openWorldHint=False)
NOTE = ToolAnnotations(readOnlyHint=False, destructiveHint=False, idempotentHint=True, openWorldHint=False)
ERASE = ToolAnnotations(readOnlyHint=False, destructiveHint=True, idempotentHint=True, openWorldHint=False)


class Holdings(Protocol):
    """One person's data as the tools reach it: their memory store, letters and calendar."""

    @property
    def store(self) -> Any: ...

    async def letters(self, limit: int) -> list[str]:
        """One line per letter the person keeps (not those marked private), newest first."""
        ...

    async def letter(self, letter_id: int) -> str | None:
        """One letter's latest text with its brief; None when there is none (or it is private)."""
        ...

    async def upcoming(self, days: int) -> list[str]:
        """One line per calendar event from now to ``days`` ahead."""
        ...


@dataclass(frozen=True)
class Visit:
    """One call let in: whose data it reaches, which client asks, what that client may use and,
    for what it may not, the line that says how to allow it."""

    holdings: Holdings
    client: str
    uses: frozenset[Use]
    how_to_allow: Callable[[Use], str]

    def need(self, use: Use) -> Holdings:
        if use not in self.uses:
            raise InputError(self.how_to_allow(use))
        return self.holdings


Doors = Callable[[Context[Any, Any, Any]], AbstractAsyncContextManager[Visit]]


def announced(ctx: Context[Any, Any, Any]) -> str:
    """The name the client gave when it connected (``clientInfo.name``), or "" if none."""
    params = ctx.session.client_params
    return params.clientInfo.name if params is not None else ""


def memory_server(doors: Doors, **http: Any) -> FastMCP:
    """An MCP server whose every tool passes ``doors``; ``http`` goes to FastMCP (host, port,
    paths) for serving over streamable HTTP."""
    server = FastMCP("os1", instructions="What os1 knows of its person: search and list memories,"
                     " moments, letters and the calendar; note or forget a memory if allowed.", **http)
    _read_tools(server, doors)
    _keeping_tools(server, doors)
    return server


def _read_tools(server: FastMCP, doors: Doors) -> None:
    @server.tool(annotations=READ)
    async def recall(query: str, ctx: Context[Any, Any, Any], k: int = 5) -> str:
        """Search os1's memory of its person by words and meaning; the best matches, each with its id."""
        query = checked(query, MAX_QUERY_CHARS, "query")
        async with doors(ctx) as visit:
            wanted = _between(k, 1, MAX_K, "k")
            hits = [h for h in await visit.need("read").store.search(query, k=wanted * 3)
                    if not h.item.private][:wanted]
        return "\n".join(memory_line(h.item) for h in hits) or "nothing found"

    @server.tool(annotations=READ)
    async def list_memories(ctx: Context[Any, Any, Any], kind: str = "", limit: int = 20) -> str:
        """List os1's memories, newest first; kind is "fact", "utterance" or "" for both."""
        if kind not in ("", "fact", "utterance"):
            raise InputError('kind is "fact", "utterance" or ""')
        async with doors(ctx) as visit:
            items = await visit.need("read").store.list_memories(
                kind=kind or None, limit=_between(limit, 1, MAX_K, "limit"))
        return "\n".join(memory_line(i) for i in items if not i.private) or "no memories yet"

    @server.tool(annotations=READ)
    async def moments(ctx: Context[Any, Any, Any], kind: str = "", limit: int = 20) -> str:
        """Kept moments (shared posts, photos, songs, composed pieces), newest first."""
        async with doors(ctx) as visit:
            found = await visit.need("read").store.moments(
                clean_text(kind) or None, _between(limit, 1, MAX_K, "limit"))
        lines = [f"- #{m.id} {m.kind} ({m.item.when}) {m.item.text}" for m in found if not m.item.private]
        return "\n".join(lines) or "no moments yet"

    @server.tool(annotations=READ)
    async def letters(ctx: Context[Any, Any, Any], limit: int = 20) -> str:
        """Kept letters, newest first, one line each with its id (read one with `letter`)."""
        async with doors(ctx) as visit:
            lines = await visit.need("read").letters(_between(limit, 1, MAX_K, "limit"))
        return "\n".join(lines) or "no letters yet"

    @server.tool(annotations=READ)
    async def letter(letter_id: int, ctx: Context[Any, Any, Any]) -> str:
        """One kept letter: to whom, for what, and its latest text."""
        async with doors(ctx) as visit:
            found = await visit.need("read").letter(letter_id)
        if found is None:
            raise InputError(f"no letter {letter_id} (see the `letters` tool)")
        return found

    @server.tool(annotations=READ)
    async def upcoming(ctx: Context[Any, Any, Any], days: int = 7) -> str:
        """Calendar events from now to the given number of days ahead."""
        async with doors(ctx) as visit:
            lines = await visit.need("read").upcoming(_between(days, 1, MAX_DAYS, "days"))
        return "\n".join(lines) or f"nothing on the calendar in the next {days} days"


def _keeping_tools(server: FastMCP, doors: Doors) -> None:
    @server.tool(name="remember", annotations=NOTE)
    async def remember_fact(fact: str, ctx: Context[Any, Any, Any]) -> str:
        """Note a lasting fact about os1's person, as a short sentence (kept as your note, not theirs)."""
        text = checked(fact, MAX_FACT_CHARS, "fact")
        async with doors(ctx) as visit:
            store = visit.need("remember").store
            labelled = f"[{client_label(visit.client)}] {text}"
            added = await store.add_facts([FactDraft(labelled, "user", "note", text, "external")], None)
        return "noted" if added else "already known"

    @server.tool(annotations=ERASE)
    async def forget(memory_id: int, ctx: Context[Any, Any, Any]) -> str:
        """Forget one memory for good (its id from `recall` or `list_memories`)."""
        async with doors(ctx) as visit:
            store = visit.need("forget").store
            gone = await store.forget_all([memory_id])
            if gone:
                await store.compact()  # so the forgotten text is gone from the file, as the CLI does
        if not gone:
            raise InputError(f"no memory with id {memory_id}")
        return f"forgot memory {memory_id}" if gone == 1 else f"forgot {gone} memories"


def client_label(client: str) -> str:
    """The source of a client's note, as memories and models see it."""
    name = "".join(c for c in client if c not in "[]\n")[:64]
    return f"MCP client {name or 'unnamed'}"


def memory_line(item: MemoryItem) -> str:
    outside = " [from outside content]" if from_outside(item) else ""
    return f"- #{item.id} ({item.when}){outside} {item.text}"


def checked(text: str, limit: int, what: str) -> str:
    cleaned = clean_text(text)
    if not cleaned:
        raise InputError(f"empty {what}")
    if len(cleaned) > limit:
        raise InputError(f"{what} longer than {limit} characters")
    return cleaned


def _between(value: int, low: int, high: int, what: str) -> int:
    if not low <= value <= high:
        raise InputError(f"{what} is from {low} to {high}")
    return value
