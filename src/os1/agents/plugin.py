"""Other agents as a plugin: for a user who names A2A agents (``agents.a2a_peers``), ``ask_agent``;
for a user who lists MCP tool servers (``agents.mcp_servers``), the tools they offer, listed when
the companion is built. The hook is called synchronously, so the listing runs
on a thread with its own event loop; a server that cannot be listed is left out with one logged
line, and the rest are offered. The servers' kept sessions close with the user's runtime."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from os1.config import Settings
from os1.errors import ToolFailed
from os1.hookspecs import hookimpl
from os1.tools.base import Tool

if TYPE_CHECKING:  # the SDK loads only for a user who lists MCP servers
    from os1.agents.mcp_client import McpServer

log = logging.getLogger(__name__)


@hookimpl
def register_skill_tools(settings: Settings,
                         register: Callable[[Sequence[Tool], Callable[[], Awaitable[None]] | None], None],
                         ) -> None:
    if settings.agents.a2a_peers:  # "ask Sam ...": agents the user named
        from os1.agents.a2a_tools import ask_agent

        register([ask_agent(settings.agents.a2a_peers, timeout_s=settings.agents.a2a_timeout_s)], None)
    if not settings.agents.mcp_servers:
        return
    servers = mcp_servers(settings)
    with ThreadPoolExecutor(1, thread_name_prefix="os1-mcp-list") as pool:
        tools = pool.submit(asyncio.run, mcp_tools_of(servers)).result()

    async def close() -> None:
        await asyncio.gather(*(server.close() for server in servers))

    register(tools, close)


def mcp_servers(settings: Settings) -> list[McpServer]:
    from os1.agents.mcp_client import McpServer

    logs = settings.home / "agents"
    return [McpServer(name, config, logs / f"mcp-{name}.log")
            for name, config in sorted(settings.agents.mcp_servers.items())]


async def mcp_tools_of(servers: Sequence[McpServer]) -> list[Tool]:
    """The tools of every MCP server that answers, listed side by side."""
    from os1.agents.mcp_tools import mcp_tool

    listings = await asyncio.gather(*(server.list_tools() for server in servers), return_exceptions=True)
    tools: list[Tool] = []
    for server, listed in zip(servers, listings, strict=True):
        if isinstance(listed, ToolFailed):
            log.warning("%s", listed)
        elif isinstance(listed, BaseException):
            raise listed
        else:
            tools += [mcp_tool(server, one) for one in listed]
    return tools
