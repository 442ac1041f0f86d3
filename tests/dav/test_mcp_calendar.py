"""The calendar over MCP (``upcoming``): a real Radicale, os1's MCP server with the user's grants,
driven in-process by the MCP SDK's own client."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from mcp.shared.memory import create_connected_server_and_client_session
from mcp.types import Implementation, TextContent

from os1.agents.mcp_consent import grant, grants_path
from os1.agents.mcp_server import memory_server
from os1.config import CalendarSettings, Settings
from os1.dav.calendar import Calendar
from os1.memory.sqlite import SQLiteMemory, store_path
from os1.server.mcp import PersonHoldings, local_doors

pytestmark = pytest.mark.integration  # a real CalDAV server


async def test_upcoming_reads_the_calendar_ahead(dav: CalendarSettings, os1_home: Path,
                                                 store: SQLiteMemory) -> None:
    calendar = Calendar(dav)
    soon = datetime.now().astimezone().replace(microsecond=0) + timedelta(days=1)
    await calendar.add("Dinner with Amy", soon, soon + timedelta(hours=2), "Lisbon")
    await calendar.add("Dentist", soon + timedelta(days=10), soon + timedelta(days=10, hours=1))
    settings = Settings(home=os1_home, calendar=dav)
    grants = grants_path(store_path(os1_home, settings.user).parent)
    grant(grants, "desk", frozenset({"read"}))
    server = memory_server(local_doors(PersonHoldings(settings, store), grants))
    async with create_connected_server_and_client_session(
            server, client_info=Implementation(name="Desk", version="1")) as session:
        found = await session.call_tool("upcoming", {"days": 3})
        text = "\n".join(c.text for c in found.content if isinstance(c, TextContent))
        assert not found.isError and "Dinner with Amy at Lisbon" in text and "Dentist" not in text
        assert (await session.call_tool("upcoming", {"days": 0})).isError  # out of range: one line
