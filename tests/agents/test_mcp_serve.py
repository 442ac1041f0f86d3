"""``os1 mcp serve``: the real command, over stdio and over streamable HTTP on loopback, driven by
the MCP SDK's own client; what a client may use is what the user granted it, at every call."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import get_default_environment, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.memory import create_connected_server_and_client_session
from mcp.types import Implementation, TextContent

from os1.access import local_key
from os1.agents.a2a_source import source_in
from os1.agents.mcp_consent import grants_path
from os1.agents.mcp_server import memory_server
from os1.cli.main import cli
from os1.config import Settings
from os1.letters.brief import Brief
from os1.letters.grounding import Grounding
from os1.letters.keeping import LetterStore, letters_dir
from os1.memory.base import FactDraft
from os1.memory.moments import MomentDraft
from os1.memory.sqlite import store_path
from os1.runtime import open_store
from os1.server.mcp import PersonHoldings, local_doors
from os1.testing.servers import free_port, stop_process
from tests.agents.test_mcp_http import listening
from tests.conftest import wait_until

pytestmark = pytest.mark.integration  # a real `os1 mcp serve` process
ENV = {"OS1_LOAD_PLUGINS": "", "OS1_MEMORY__EMBEDDER": "hash",
       **{k: v for k in ("PYTHONPATH",) if (v := os.environ.get(k))}}  # the sources under test


@asynccontextmanager
async def served(home: Path, *args: str) -> AsyncIterator[ClientSession]:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "os1", "mcp", "serve", *args],
        env={**get_default_environment(), "OS1_HOME": str(home), **ENV})
    with (home / "serve.log").open("a") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session


def os1(home: Path, *args: str) -> str:
    done = CliRunner().invoke(cli, list(args), env={"OS1_HOME": str(home), **ENV}, catch_exceptions=False)
    assert done.exit_code == 0, done.output
    return done.output


async def remembered(home: Path) -> list[tuple[str, str]]:
    store = await open_store(Settings(home=home))
    try:
        return [(i.text, i.provenance) for i in await store.list_memories(kind="fact")]
    finally:
        await store.close()


def text_of(result: object) -> str:
    return "\n".join(c.text for c in getattr(result, "content", []) if isinstance(c, TextContent))


@pytest.fixture
async def home(os1_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OS1_MEMORY__EMBEDDER", "hash")
    store = await open_store(Settings(home=os1_home))
    try:
        await store.add_facts([FactDraft("Theo's sister is called Annie", "Theo", "sister", "Annie")], None)
        await store.add_moment(MomentDraft("post", "lighthouse", "Theo shared a photo of the lighthouse", {}))
        secret = await store.add_utterance(None, "user", "Annie is pregnant, Theo's sister Annie")
        await store.keep_private([secret.id])  # the user's alone: never served
    finally:
        await store.close()
    letters = LetterStore(letters_dir(store_path(os1_home, "default").parent))
    try:
        await letters.keep(Brief("Amy", "Theo", "her birthday"), "Dear Amy, happy birthday.", Grounding(()),
                           private=False)
        await letters.keep(Brief("Paul", "Theo"), "Dear Paul, a secret.", Grounding(()), private=True)
    finally:
        await letters.close()
    return os1_home


async def test_a_client_uses_only_what_the_user_granted_it_at_every_call(home: Path) -> None:
    async with served(home, "--client", "Desk") as session:
        listed = {t.name: t for t in (await session.list_tools()).tools}
        assert {"recall", "list_memories", "moments", "letters", "letter", "upcoming", "remember",
                "forget"} <= set(listed)
        assert listed["recall"].annotations is not None and listed["recall"].annotations.readOnlyHint is True
        refused = await session.call_tool("recall", {"query": "Annie"})
        assert refused.isError and "`os1 mcp grant desk --read`" in text_of(refused)

        assert "desk may now: read." in os1(home, "mcp", "grant", "Desk", "--read")
        found = await session.call_tool("recall", {"query": "Theo's sister Annie"})
        assert not found.isError and "Annie" in text_of(found)
        assert "pregnant" not in text_of(found)
        assert "pregnant" not in text_of(await session.call_tool("list_memories", {}))
        moments = text_of(await session.call_tool("moments", {}))
        assert "post" in moments and "lighthouse" in moments
        assert "Dear Amy" in text_of(await session.call_tool("letter", {"letter_id": 1}))
        letters = text_of(await session.call_tool("letters", {}))
        assert "to Amy, her birthday" in letters and "Paul" not in letters  # private letters stay home
        assert (await session.call_tool("letter", {"letter_id": 2})).isError
        empty = await session.call_tool("recall", {"query": "   "})
        assert empty.isError and "empty query" in text_of(empty)
        no_note = await session.call_tool("remember", {"fact": "Theo hates Annie"})
        assert no_note.isError and "may not remember" in text_of(no_note)

        os1(home, "mcp", "grant", "desk", "--read", "--remember")
        noted = await session.call_tool("remember", {"fact": "Theo plays the ukulele"})
        assert not noted.isError and text_of(noted) == "noted"
        assert "desk  read, remember" in os1(home, "mcp", "clients")

        assert "desk may no longer use os1" in os1(home, "mcp", "revoke", "desk")
        assert (await session.call_tool("list_memories", {})).isError  # at once, mid-session
    # a client's note is outside content naming it, never the user's own word
    assert ("[MCP client desk] Theo plays the ukulele", "external") in await remembered(home)
    assert source_in("[MCP client desk] Theo plays the ukulele") == "MCP client desk"  # the Memories page
    assert (store_path(home, "default").parent / "mcp-clients.json").stat().st_mode & 0o777 == 0o600


async def test_forget_goes_through_the_stores_forgetting(home: Path) -> None:
    os1(home, "mcp", "grant", "editor", "--read", "--forget")
    settings = Settings(home=home)
    store = await open_store(settings)
    server = memory_server(local_doors(PersonHoldings(settings, store), grants_path(
        store_path(home, settings.user).parent), "editor"))
    try:
        async with create_connected_server_and_client_session(server) as session:  # in-process
            listed = text_of(await session.call_tool("list_memories", {"kind": "fact"}))
            annie = next(line for line in listed.splitlines() if "Annie" in line)
            memory_id = int(annie.split("#")[1].split()[0])
            gone = await session.call_tool("forget", {"memory_id": memory_id})
            assert not gone.isError and text_of(gone) == f"forgot memory {memory_id}"
            again = await session.call_tool("forget", {"memory_id": memory_id})
            assert again.isError and f"no memory with id {memory_id}" in text_of(again)
            calendar = await session.call_tool("upcoming", {"days": 3})
            assert calendar.isError and "calendar is not set up" in text_of(calendar)
            bad = await session.call_tool("list_memories", {"kind": "dreams"})
            assert bad.isError and len(text_of(bad).splitlines()) == 1
            assert "nothing found" in text_of(await session.call_tool("recall", {"query": "sister Annie"}))
    finally:
        await store.close()
    assert [text for text, _ in await remembered(home) if "Annie" in text] == []


@pytest.fixture
def http_served(home: Path) -> Iterator[str]:
    port = free_port()
    with (home / "http.log").open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "os1", "mcp", "serve", "--http", "--port", str(port)],
                                env={**get_default_environment(), "OS1_HOME": str(home), **ENV},
                                stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: listening(port) or proc.poll() is not None, "os1 mcp serve --http to listen")
        assert proc.poll() is None, (home / "http.log").read_text()
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        stop_process(proc)


@asynccontextmanager
async def over_http(url: str, client: str,
                    headers: dict[str, str] | None = None) -> AsyncIterator[ClientSession]:
    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(httpx.AsyncClient(headers=headers, trust_env=False))
        read, write, _ = await stack.enter_async_context(streamable_http_client(url, http_client=http))
        session = await stack.enter_async_context(
            ClientSession(read, write, client_info=Implementation(name=client, version="1")))
        await session.initialize()
        yield session


async def test_over_http_the_client_is_known_by_the_name_it_announces(home: Path, http_served: str) -> None:
    os1(home, "mcp", "grant", "Desk Assistant", "--read")
    key = {"Authorization": f"Bearer {local_key(home)}"}
    async with over_http(http_served, "Desk Assistant", key) as allowed:
        found = await allowed.call_tool("recall", {"query": "sister Annie"})
        assert not found.isError and "Annie" in text_of(found)
    async with over_http(http_served, "stranger", key) as stranger:
        refused = await stranger.call_tool("recall", {"query": "sister Annie"})
        assert refused.isError and "'stranger' is not allowed" in text_of(refused)
    async with httpx.AsyncClient(trust_env=False) as http:
        keyless = await http.post(http_served, json={})
        assert keyless.status_code == 401 and "machine's key" in keyless.json()["error"]
        rebound = await http.post(http_served, headers={"Host": "evil.example", **key}, json={})
    assert rebound.status_code == 421  # a page on another name cannot reach it (DNS rebinding)
