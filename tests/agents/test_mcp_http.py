"""os1 as an MCP client over streamable HTTP: the same tool server, served by FastMCP on loopback."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from os1.config import AgentSettings, McpServerConfig, Settings
from os1.memory.sqlite import SQLiteMemory
from os1.plugins import Closer, skill_tools
from os1.testing.servers import free_port, stop_process
from os1.tools.base import Policy, run_tool
from os1.types import ToolCall
from tests.agents.test_mcp_client import SERVER, kept
from tests.conftest import wait_until

pytestmark = pytest.mark.integration  # a real MCP server process on loopback
__all__ = ["kept"]  # the fixture, shared with the client tests


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def http_server(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    with (tmp_path / "http.log").open("wb") as log:
        proc = subprocess.Popen([sys.executable, str(SERVER), str(tmp_path / "notes.txt"), str(port)],
                                stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: listening(port) or proc.poll() is not None, "the MCP server to listen")
        assert proc.poll() is None, (tmp_path / "http.log").read_text()
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        stop_process(proc)


async def test_tools_over_http_are_listed_and_called(http_server: str, tmp_path: Path,
                                                     store: SQLiteMemory, kept: list[Closer]) -> None:
    settings = Settings(home=tmp_path / "home",
                        agents=AgentSettings(mcp_servers={"desk": McpServerConfig(url=http_server)}))
    listed, closers = skill_tools(settings, store)
    kept += closers
    tools = {t.name: t for t in listed if t.name.startswith("desk_")}
    assert tools["desk_weather"].policy is Policy.READ and tools["desk_add_note"].policy is Policy.CONFIRM
    said = await run_tool(list(tools.values()), ToolCall("1", "desk_weather", {"city": "Oslo"}))
    assert said.startswith("[MCP server desk, tool weather]\nOslo:")
    refused = await run_tool(list(tools.values()), ToolCall("2", "desk_add_note", {"text": "x"}))
    assert refused.startswith("error:") and not (tmp_path / "notes.txt").exists()  # no gate, no yes


async def test_a_server_that_is_gone_costs_one_line(tmp_path: Path, store: SQLiteMemory) -> None:
    gone = McpServerConfig(url=f"http://127.0.0.1:{free_port()}/mcp")
    settings = Settings(home=tmp_path, agents=AgentSettings(mcp_servers={"gone": gone}))
    assert [t for t in skill_tools(settings, store)[0] if t.name.startswith("gone_")] == []
