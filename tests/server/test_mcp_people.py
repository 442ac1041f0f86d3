"""Multi mode's MCP server at ``/mcp`` of the real app, served by uvicorn on loopback and driven by
the MCP SDK's client: each person's own API token, its scope what the client may use, and a
person reaching their own data only."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from os1.server.app import create_app
from os1.testing import ScriptedLLM
from os1.testing.servers import free_port
from tests.agents.test_mcp_serve import over_http, text_of
from tests.conftest import wait_until
from tests.server.conftest import server_settings

pytestmark = pytest.mark.integration  # a real server on loopback
HELLO = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "desk", "version": "1"}}}
ACCEPT = {"Accept": "application/json, text/event-stream"}


@pytest.fixture
def site(os1_home: Path) -> Iterator[str]:
    port = free_port()
    app = create_app(server_settings(os1_home, mode="multi"), models={"local": ScriptedLLM()})
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, "os1 serve to start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


async def token(base: str, name: str, scope: str) -> str:
    async with httpx.AsyncClient(base_url=base, trust_env=False) as browser:
        made = await browser.post("/v1/auth/register", json={"username": name, "password": "correct horse"})
        assert made.status_code == 201, made.text
        minted = await browser.post("/v1/tokens", json={"name": "desk", "scope": scope},
                                    headers={"X-CSRF-Token": browser.cookies.get("os1_csrf") or ""})
        assert minted.status_code == 201, minted.text
        return str(minted.json()["token"])


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


async def test_each_person_reaches_only_their_own_memory(site: str) -> None:
    amy, theo = await token(site, "amy", "chat"), await token(site, "theodore", "read")
    url = f"{site}/mcp"
    async with over_http(url, "Desk", bearer(amy)) as amys:
        noted = await amys.call_tool("remember", {"fact": "Amy keeps bees on the roof"})
        assert not noted.isError, text_of(noted)
        assert "bees" in text_of(await amys.call_tool("recall", {"query": "bees on the roof"}))
        no_forget = await amys.call_tool("forget", {"memory_id": 1})
        assert no_forget.isError and "needs a token of scope admin" in text_of(no_forget)
    async with over_http(url, "Desk", bearer(theo)) as theos:
        assert "bees" not in text_of(await theos.call_tool("recall", {"query": "bees on the roof"}))
        assert text_of(await theos.call_tool("list_memories", {})) == "no memories yet"
        no_note = await theos.call_tool("remember", {"fact": "Theo keeps bees"})
        assert no_note.isError and "this token's scope is read" in text_of(no_note)


async def test_a_call_in_anothers_session_reaches_the_callers_own_data(site: str) -> None:
    amy, theo = await token(site, "amy", "chat"), await token(site, "theodore", "read")
    async with over_http(f"{site}/mcp", "Desk", bearer(amy)) as amys:
        assert not (await amys.call_tool("remember", {"fact": "Amy keeps bees on the roof"})).isError
    async with httpx.AsyncClient(base_url=site, trust_env=False, headers=ACCEPT) as http:
        opened = await http.post("/mcp", json=HELLO, headers=bearer(amy))
        session = {"mcp-session-id": opened.headers["mcp-session-id"]}
        await http.post("/mcp", json={"jsonrpc": "2.0", "method": "notifications/initialized"},
                        headers={**bearer(amy), **session})
        call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                "params": {"name": "recall", "arguments": {"query": "bees on the roof"}}}
        theos = await http.post("/mcp", json=call, headers={**bearer(theo), **session})
        amys_own = await http.post("/mcp", json={**call, "id": 3}, headers={**bearer(amy), **session})
    assert "nothing found" in theos.text and "bees" not in theos.text  # Theo's memory, not Amy's
    assert "Amy keeps bees" in amys_own.text


async def test_a_revoked_token_opens_nothing_more(site: str) -> None:
    async with httpx.AsyncClient(base_url=site, trust_env=False) as browser:
        made = await browser.post("/v1/auth/register", json={"username": "amy", "password": "correct horse"})
        assert made.status_code == 201, made.text
        csrf = {"X-CSRF-Token": browser.cookies.get("os1_csrf") or ""}
        asked = await browser.post("/v1/tokens", json={"name": "desk", "scope": "read"}, headers=csrf)
        minted = asked.json()
        async with over_http(f"{site}/mcp", "Desk", bearer(minted["token"])) as desk:
            assert not (await desk.call_tool("list_memories", {})).isError
        assert (await browser.delete(f"/v1/tokens/{minted['id']}", headers=csrf)).status_code == 204
        again = await browser.post("/mcp", json=HELLO, headers={**ACCEPT, **bearer(minted["token"])})
        assert again.status_code == 401


async def test_no_token_no_door(site: str) -> None:
    async with httpx.AsyncClient(trust_env=False, headers=ACCEPT) as http:
        refused = await http.post(f"{site}/mcp", json=HELLO)
        assert refused.status_code == 401 and "API tokens" in refused.json()["error"]
        wrong = await http.post(f"{site}/mcp", json=HELLO, headers=bearer("os1_not-a-token"))
        assert wrong.status_code == 401
