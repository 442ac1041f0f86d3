"""``os1 mcp``: os1 among other agents over MCP. ``os1 mcp serve`` serves what os1 knows of the
configured user to another assistant or editor, over stdio or streamable HTTP on loopback, to
the clients the user allows (``os1 mcp clients``, ``grant``, ``revoke``); ``os1 mcp tools`` lists
the tools os1 itself may use from the servers in ``agents.mcp_servers``, and which of them need
the user's yes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click
from rich.text import Text

from os1.agents.mcp_consent import USES, Use, client_name, grant, grants, grants_path, revoke
from os1.cli.io import console
from os1.cli.state import CliState
from os1.config import Settings
from os1.memory.sqlite import store_path
from os1.runtime import open_store

DEFAULT_PORT = 8374


def _grants(settings: Settings) -> Path:
    return grants_path(store_path(settings.home, settings.user).parent)


@click.group()
def mcp() -> None:
    """Use other assistants' tools and serve what os1 knows over MCP."""


@mcp.command()
@click.option("--client", metavar="NAME", help="Name the client (else the name it announces).")
@click.option("--http", is_flag=True, help="Serve streamable HTTP on 127.0.0.1 instead of stdio.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(1, 65535),
              help="The port for --http.")
@click.pass_obj
def serve(state: CliState, client: str | None, http: bool, port: int) -> None:
    """Serve your memory, moments, letters and calendar over MCP to the clients you allow.

    Over stdin/stdout (for a desktop assistant or editor that starts it), or with --http at
    http://127.0.0.1:PORT/mcp, to callers that show this machine's key (the file local-key in
    the data directory) as a bearer token. A client may use only what `os1 mcp grant` gave it.
    """
    import uvicorn

    from os1.access import FILE, local_key
    from os1.agents.mcp_server import memory_server
    from os1.server.mcp import KeyOnly, PersonHoldings, local_doors

    settings = state.settings

    async def serving() -> None:
        store = await open_store(settings)
        try:
            doors = local_doors(PersonHoldings(settings, store), _grants(settings), client)
            if not http:
                await memory_server(doors).run_stdio_async()
                return
            app = memory_server(doors, host="127.0.0.1", port=port).streamable_http_app()
            console.print(f"Serving MCP at http://127.0.0.1:{port}/mcp to callers that show this machine's"
                          f" key (Authorization: Bearer, in {settings.home / FILE}); Ctrl-C stops.")
            config = uvicorn.Config(KeyOnly(app, local_key(settings.home)), host="127.0.0.1", port=port,
                                    log_level="warning")
            await uvicorn.Server(config).serve()
        finally:
            await store.close()

    asyncio.run(serving())


@mcp.command()
@click.pass_obj
def clients(state: CliState) -> None:
    """The MCP clients you allowed, and what each may use."""
    kept = grants(_grants(state.settings))
    for name, uses in kept.items():
        console.print(Text(f"{name}  {', '.join(u for u in USES if u in uses)}"))
    if not kept:
        console.print("No MCP client is allowed yet: `os1 mcp grant NAME --read`.")


@mcp.command("grant")
@click.argument("name")
@click.option("--read", is_flag=True, help="Search and list memories, moments, letters, the calendar.")
@click.option("--remember", is_flag=True, help="Note facts (kept as the client's, not yours).")
@click.option("--forget", is_flag=True, help="Forget memories for good.")
@click.pass_obj
def grant_(state: CliState, name: str, read: bool, remember: bool, forget: bool) -> None:
    """Let MCP client NAME use os1's MCP server for these (replacing what it had)."""
    chosen: frozenset[Use] = frozenset(u for u, on in zip(USES, (read, remember, forget), strict=True) if on)
    uses = grant(_grants(state.settings), name, chosen)
    console.print(Text(f"{client_name(name)} may now: {', '.join(u for u in USES if u in uses)}."))


@mcp.command("revoke")
@click.argument("name")
@click.pass_obj
def revoke_(state: CliState, name: str) -> None:
    """Take back everything MCP client NAME was allowed (at once, even mid-session)."""
    if revoke(_grants(state.settings), name):
        console.print(Text(f"{client_name(name)} may no longer use os1."))
    else:
        console.print(Text(f"{client_name(name)} was not allowed anything (see `os1 mcp clients`)."))


@mcp.command()
@click.pass_obj
def tools(state: CliState) -> None:
    """List the tools of the MCP servers in your settings, and which need your yes."""
    from os1.agents.plugin import mcp_servers, mcp_tools_of
    from os1.tools.base import Policy

    if not state.settings.agents.mcp_servers:
        console.print("No MCP servers configured (agents.mcp_servers in `os1 config show`).")
        return
    found = asyncio.run(mcp_tools_of(mcp_servers(state.settings)))
    for t in found:
        needs = "asks first" if t.policy is Policy.CONFIRM else "read-only"
        console.print(f"{t.name}  [dim]({needs})[/dim]  {t.description}", markup=True, highlight=False)
    if not found:
        console.print("No tools: no configured MCP server answered (see `os1 -v mcp tools`).")
