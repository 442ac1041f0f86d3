"""One MCP tool server, reached with the ``mcp`` SDK's own client: a session over stdio (a command
os1 starts) or streamable HTTP (a URL on loopback). A listing opens a session of its own; calls
share one kept session, held by a task of its own (the SDK's sessions must be opened and closed in
one task), started at the first call, started afresh after the server fails, closed with the runtime.

Every failure (a command that will not start, a server that hangs past ``timeout_s``, crashes or
answers with something that is not MCP) becomes one ``ToolFailed`` line.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable
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
_Request = tuple[str, dict[str, Any], "asyncio.Future[mcp_types.CallToolResult]"]


class McpServer:
    """A configured tool server by name; ``log`` (a file) takes what a stdio server writes to stderr."""

    def __init__(self, name: str, config: McpServerConfig, log: Path) -> None:
        self.name, self.config, self.log = name, config, log
        self._requests: asyncio.Queue[_Request] = asyncio.Queue()
        self._keeper: asyncio.Task[None] | None = None

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
        if self._keeper is None or self._keeper.done():
            self._requests = asyncio.Queue()
            self._keeper = asyncio.create_task(self._keep(self._requests), name=f"mcp-{self.name}")
        done: asyncio.Future[mcp_types.CallToolResult] = asyncio.get_running_loop().create_future()
        await self._requests.put((tool, arguments, done))
        try:
            return await self._within(asyncio.shield(done), f"run {tool}")
        except ToolFailed:
            await self.close()  # a hung or broken session: the next call starts afresh
            raise

    async def _keep(self, requests: asyncio.Queue[_Request]) -> None:
        """Hold one session and run the calls put on ``requests`` in turn, until the server fails
        or the session is closed; whatever is still waiting then fails with it."""
        failure: BaseException = ToolFailed("the session ended")
        current: asyncio.Future[mcp_types.CallToolResult] | None = None
        try:
            async with self._session() as session:
                while True:
                    tool, arguments, current = await requests.get()
                    result = await session.call_tool(tool, arguments)
                    if not current.done():
                        current.set_result(result)
        except asyncio.CancelledError:
            failure = ToolFailed("the session was closed")
            raise
        except Exception as exc:  # the server crashed or spoke garbage: ends this session only
            failure = exc
        finally:
            left = [current] if current is not None else []
            while not requests.empty():
                left.append(requests.get_nowait()[2])
            for waiting in left:
                if not waiting.done():
                    waiting.set_exception(failure)

    async def close(self) -> None:
        keeper, self._keeper = self._keeper, None
        if keeper is not None and not keeper.done():
            keeper.cancel()
            with contextlib.suppress(BaseException):
                await keeper

    async def _within(self, work: Awaitable[T], what: str) -> T:
        try:
            result = await asyncio.wait_for(work, self.config.timeout_s)
        except TimeoutError:
            limit = self.config.timeout_s
            raise ToolFailed(f"MCP server {self.name} did not {what} within {limit:g} s") from None
        except Exception as exc:  # a crash, garbage, a refused connection: one line, never the turn
            raise ToolFailed(f"MCP server {self.name} could not {what}: {_first_line(exc)}") from None
        return result


def _first_line(exc: BaseException) -> str:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]
