"""Shared fixtures: every test gets its own OS1_HOME, and no installed plugins are loaded."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from os1.memory.sqlite import SQLiteMemory
from os1.testing import FakeEmbedder


@pytest.fixture(autouse=True)
def os1_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    monkeypatch.setenv("OS1_HOME", str(home))
    monkeypatch.setenv("OS1_LOAD_PLUGINS", "")
    for name in ("OS1_CONFIG", "OS1_LLM__DEFAULT", "OS1_USER"):
        monkeypatch.delenv(name, raising=False)
    yield home


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteMemory]:
    memory = await SQLiteMemory.open(tmp_path / "store" / "memory.sqlite3", FakeEmbedder())
    yield memory
    await memory.close()
