"""os1 among other agents: the MCP tool servers the user lists (their tools offered to the
companion, their results outside content) and os1's own memory served over MCP (``os1 mcp serve``)."""
