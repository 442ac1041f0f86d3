"""One MCP tool server, reached with the ``mcp`` SDK's own client: a session over stdio (a command
os1 starts) or streamable HTTP (a URL on loopback), opened for a listing or a call and closed after.

Every failure (a command that will not start, a server that hangs past ``timeout_s``, crashes or
answers with something that is not MCP) becomes one ``ToolFailed`` line.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any, TextIO, TypeVar

import httpx
from mcp import ClientSession, StdioServerParameters
from mcp import types as mcp_types
from mcp.client.stdio import get_default_environment, stdio_client
from mcp.client.streamable_http import streamable_http_client

from os1.config import McpServerConfig
from os1.errors import ToolFailed

T = TypeVar("T")


class McpServer:
    """A configured tool server by name; ``log`` (a file) takes what a stdio server writes to stderr."""

    def __init__(self, name: str, config: McpServerConfig, log: Path) -> None:
        self.name, self.config, self.log = name, config, log

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[ClientSession]:
        async with AsyncExitStack() as stack:
            if self.config.url is not None:
                # loopback only: no proxy from the environment stands between os1 and the server
                http = await stack.enter_async_context(httpx.AsyncClient(
                    timeout=httpx.Timeout(self.config.timeout_s), follow_redirects=False, trust_env=False))
                read, write, _ = await stack.enter_async_context(
                    streamable_http_client(self.config.url, http_client=http))
            else:
                errlog = stack.enter_context(self._errlog())
                command, *args = self.config.command
                params = StdioServerParameters(command=command, args=args,
                                               env={**get_default_environment(), **self.config.env})
                read, write = await stack.enter_async_context(stdio_client(params, errlog=errlog))
            session = await stack.enter_async_context(ClientSession(read, write))
            await session.initialize()
            yield session

    def _errlog(self) -> TextIO:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        return self.log.open("a", encoding="utf-8")

    async def list_tools(self) -> list[mcp_types.Tool]:
        async def listing() -> list[mcp_types.Tool]:
            async with self._session() as session:
                return (await session.list_tools()).tools

        return await self._within(listing(), "list its tools")

    async def call(self, tool: str, arguments: dict[str, Any]) -> mcp_types.CallToolResult:
        async def calling() -> mcp_types.CallToolResult:
            async with self._session() as session:
                return await session.call_tool(tool, arguments)

        return await self._within(calling(), f"run {tool}")

    async def _within(self, work: Coroutine[Any, Any, T], what: str) -> T:
        try:
            result = await asyncio.wait_for(work, self.config.timeout_s)
        except TimeoutError:
            limit = self.config.timeout_s
            raise ToolFailed(f"MCP server {self.name} did not {what} within {limit:g} s") from None
        except ToolFailed:
            raise
        except Exception as exc:  # a crash, garbage, a refused connection: one line, never the turn
            raise ToolFailed(f"MCP server {self.name} could not {what}: {_first_line(exc)}") from None
        return result


def _first_line(exc: BaseException) -> str:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]
