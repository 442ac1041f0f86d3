"""``os1 mcp serve``: the real command, over stdio, driven by the MCP SDK's own client."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import get_default_environment, stdio_client
from mcp.types import TextContent

from os1.config import Settings
from os1.memory.base import FactDraft
from os1.runtime import open_store

pytestmark = pytest.mark.integration  # a real `os1 mcp serve` process


@asynccontextmanager
async def served(home: Path, **env: str) -> AsyncIterator[ClientSession]:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "os1", "mcp", "serve"],
        env={**get_default_environment(), "OS1_HOME": str(home), "OS1_LOAD_PLUGINS": "",
             "OS1_MEMORY__EMBEDDER": "hash", "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
             **env})  # the same sources as the tests
    with (home / "serve.log").open("a") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session


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
        secret = await store.add_utterance(None, "user", "Annie is pregnant, Theo's sister Annie")
        await store.keep_private([secret.id])  # the user's alone: never served
    finally:
        await store.close()
    return os1_home


async def test_serves_recall_read_only_by_default(home: Path) -> None:
    async with served(home) as session:
        listed = {t.name: t for t in (await session.list_tools()).tools}
        assert set(listed) == {"recall"}
        annotations = listed["recall"].annotations
        assert annotations is not None and annotations.readOnlyHint is True
        found = await session.call_tool("recall", {"query": "Theo's sister Annie"})
        assert not found.isError and "Annie" in text_of(found)
        assert "pregnant" not in text_of(found)
        empty = await session.call_tool("recall", {"query": "   "})
        assert empty.isError and "empty query" in text_of(empty)
        refused = await session.call_tool("remember", {"fact": "Theo hates Annie"})
        assert refused.isError
    assert await remembered(home) == [("Theo's sister is called Annie", "user")]


async def test_remember_only_when_the_user_enables_it(home: Path) -> None:
    async with served(home, OS1_AGENTS__SERVE_REMEMBER="true") as session:
        assert {t.name for t in (await session.list_tools()).tools} == {"recall", "remember"}
        noted = await session.call_tool("remember", {"fact": "Theo plays the ukulele"})
        assert not noted.isError and text_of(noted) == "noted"
    # another assistant's note is outside content, never the user's own word
    assert ("Theo plays the ukulele", "external") in await remembered(home)

