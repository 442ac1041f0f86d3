"""``os1 mcp tools``: the real command, listing a real tool server's tools and their policies."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.agents.test_mcp_client import SERVER
from tests.cli.test_cli import one_line_error, run

pytestmark = pytest.mark.integration  # os1 and an MCP server as processes


def servers(**configs: dict[str, object]) -> dict[str, str]:
    return {"OS1_AGENTS__MCP_SERVERS": json.dumps(configs)}


def test_tools_are_listed_with_who_decides(tmp_path: Path) -> None:
    desk = {"command": [sys.executable, str(SERVER), str(tmp_path / "notes.txt")]}
    result = run(tmp_path / "home", "mcp", "tools", env=servers(desk=desk))
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert "(read-only)" in lines["desk_weather"] and "(asks first)" in lines["desk_add_note"]


def test_a_server_off_this_machine_is_refused_in_one_line(tmp_path: Path) -> None:
    result = run(tmp_path / "home", "mcp", "tools", env=servers(far={"url": "https://tools.example.com/mcp"}))
    one_line_error(result, 1, "agents.mcp_servers.far")
