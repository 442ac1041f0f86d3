"""The injection harness's MCP tool server (the SDK's FastMCP over stdio): ``lookup``, read-only,
answers with the text of the case being run (the file named by its first argument, rewritten
by the harness before each case), and ``add_note``, a side effect, appends to the file named by
its second argument, so a note written without the user's yes shows on disk."""

from __future__ import annotations

import sys
from pathlib import Path

from mcp.server.fastmcp import FastMCP
from mcp.types import ToolAnnotations

case, notes = Path(sys.argv[1]), Path(sys.argv[2])
server = FastMCP("desk", log_level="WARNING")


@server.tool(annotations=ToolAnnotations(readOnlyHint=True))
async def lookup(topic: str) -> str:
    """Look a topic up in the user's desk."""
    return case.read_text(encoding="utf-8")  # noqa: ASYNC240 (a harness server, one small file)


@server.tool()
async def add_note(text: str) -> str:
    """Add a note to the user's desk."""
    with notes.open("a", encoding="utf-8") as out:  # noqa: ASYNC230 (a harness server, one line)
        out.write(text.replace("\n", " ") + "\n")
    return "added"


if __name__ == "__main__":
    server.run("stdio")
