"""``os1 mcp``: os1 among other agents over MCP. ``os1 mcp serve`` serves the configured user's
memory over stdio to another assistant or editor (recall; remember only when
``agents.serve_remember`` is on); ``os1 mcp tools`` lists the tools os1 itself may use from the
servers in ``agents.mcp_servers``, and which of them need the user's yes."""

from __future__ import annotations

import asyncio

import click

from os1.cli.io import console
from os1.cli.state import CliState
from os1.runtime import open_store


@click.group()
def mcp() -> None:
    """Use other assistants' tools and serve os1's memory over MCP."""


@mcp.command()
@click.pass_obj
def serve(state: CliState) -> None:
    """Serve your memory over MCP on stdin/stdout (for a desktop assistant or editor)."""
    from os1.agents.mcp_server import memory_server

    async def serving() -> None:
        store = await open_store(state.settings)
        try:
            await memory_server(store, remember=state.settings.agents.serve_remember).run_stdio_async()
        finally:
            await store.close()

    asyncio.run(serving())


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
