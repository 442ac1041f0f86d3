"""The MCP settings: one transport, loopback only, the servers' environment masked."""

from __future__ import annotations

import json

import pytest

from os1.config import AgentSettings, McpServerConfig, Settings, load_settings, masked
from os1.errors import ConfigError


@pytest.mark.parametrize("config", [
    {},
    {"command": ["srv"], "url": "http://127.0.0.1:9/mcp"},
    {"url": "https://tools.example.com/mcp"},
    {"url": "http://10.0.0.5:8000/mcp"},
])
def test_a_server_needs_one_transport_on_loopback(config: dict[str, object],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OS1_AGENTS__MCP_SERVERS", json.dumps({"x": config}))
    with pytest.raises(ConfigError, match="agents.mcp_servers.x"):
        load_settings()


def test_loopback_http_and_stdio_are_taken() -> None:
    McpServerConfig(url="http://127.0.0.1:8000/mcp")
    McpServerConfig(url="http://[::1]:8000/mcp")
    McpServerConfig(command=["uvx", "mcp-server-time"])


def test_a_servers_environment_is_masked() -> None:
    server = McpServerConfig(command=["srv"], env={"API_KEY": "s3cret"})
    shown = masked(Settings(agents=AgentSettings(mcp_servers={"srv": server})))
    assert shown["agents"]["mcp_servers"]["srv"]["env"] == {"API_KEY": "********"}
