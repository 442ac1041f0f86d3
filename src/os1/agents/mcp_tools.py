"""MCP tools as os1 ``Tool``s: one per tool a configured server lists, named ``server_tool``.

A tool runs without the user's yes only when it is read-only: marked so by the user
(``read_only``), or declared so by the server (``readOnlyHint``) while the user trusts those
declarations. Everything else is a side effect (``Policy.CONFIRM``), shown whole before it runs.
Every result, error text included, is outside content (``Outside``): it taints the turn. The
server's descriptions are its own words too, so they reach the model cleaned, cut short and
labelled with the server's name.
"""

from __future__ import annotations

import json
import re
from typing import Any

from mcp import types as mcp_types

from os1.agents.mcp_client import McpServer
from os1.outside import Outside, clean_text
from os1.tools.base import Policy, Tool

MAX_RESULT_CHARS = 20_000
MAX_DESCRIPTION_CHARS = 300
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def tool_name(server: str, tool: str) -> str:
    """A name every model API takes: letters, digits, ``_`` and ``-``, at most 64 characters."""
    return _NAME_UNSAFE.sub("_", f"{server}_{tool}")[:64]


def read_only(server: McpServer, listed: mcp_types.Tool) -> bool:
    if listed.name in server.config.read_only:
        return True
    hint = listed.annotations.readOnlyHint if listed.annotations is not None else None
    return server.config.trust_read_only_hints and hint is True


def _parameters(listed: mcp_types.Tool) -> dict[str, Any]:
    schema = listed.inputSchema if isinstance(listed.inputSchema, dict) else {}
    properties = schema.get("properties")
    required = schema.get("required")
    return {"type": "object",
            "properties": properties if isinstance(properties, dict) else {},
            "required": [r for r in required if isinstance(r, str)] if isinstance(required, list) else []}


def result_items(result: mcp_types.CallToolResult) -> list[str]:
    """The text of a result's pieces; what is not text is named, never fetched or decoded."""
    pieces: list[str] = []
    for block in result.content:
        if isinstance(block, mcp_types.TextContent):
            pieces.append(block.text)
        elif isinstance(block, mcp_types.EmbeddedResource) and isinstance(
                block.resource, mcp_types.TextResourceContents):
            pieces.append(block.resource.text)
        else:
            pieces.append(f"[{block.type}]")
    if not result.content and result.structuredContent is not None:
        pieces.append(json.dumps(result.structuredContent, default=str))
    return pieces


def mcp_tool(server: McpServer, listed: mcp_types.Tool) -> Tool:
    """One listed MCP tool, bound to its server."""
    source = f"MCP server {server.name}, tool {listed.name}"

    async def run(**arguments: Any) -> Outside:
        result = await server.call(listed.name, arguments)
        text = "\n".join(result_items(result))[:MAX_RESULT_CHARS] or "(no content)"
        note = f"{listed.name} reported an error" if result.isError else ""
        return Outside(((source, text),), note=note)

    async def preview(arguments: dict[str, Any]) -> str:
        shown = json.dumps(arguments, ensure_ascii=False, indent=1, default=str)
        return f"Run {listed.name} on MCP server {server.name} with:\n{shown}"

    said = clean_text(listed.description or listed.title or listed.name)[:MAX_DESCRIPTION_CHARS]
    description = f"{said} (a tool of the MCP server {server.name})"
    if read_only(server, listed):
        return Tool(tool_name(server.name, listed.name), description, _parameters(listed), run)
    return Tool(tool_name(server.name, listed.name), description, _parameters(listed), run,
                Policy.CONFIRM, preview=preview)
