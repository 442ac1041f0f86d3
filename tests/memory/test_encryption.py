"""Encryption at rest with SQLCipher: the right key opens, a wrong or missing key fails clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from os1.errors import MemoryStoreError
from os1.memory.sqlite import SQLiteMemory, encrypt_file
from os1.testing import FakeEmbedder


def all_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


async def test_encrypted_store_round_trip_and_wrong_key(tmp_path: Path) -> None:
    path = tmp_path / "secret.sqlite3"
    store = await SQLiteMemory.open(path, FakeEmbedder(), key="correct horse")
    await store.add_utterance(None, "user", "my diary says Marzipanic thoughts")
    assert (await store.search("Marzipanic"))[0].item.text.endswith("thoughts")
    await store.close()
    assert b"Marzipanic" not in all_bytes(path) and b"SQLite format 3" not in path.read_bytes()[:16]

    again = await SQLiteMemory.open(path, FakeEmbedder(), key="correct horse")
    assert len(await again.list_memories()) == 1
    await again.close()
    with pytest.raises(MemoryStoreError, match="wrong encryption key"):
        await SQLiteMemory.open(path, FakeEmbedder(), key="wrong")
    with pytest.raises(MemoryStoreError, match="encrypted and no key"):
        await SQLiteMemory.open(path, FakeEmbedder())
    assert b"Marzipanic" not in all_bytes(path)  # failed opens changed nothing


async def test_plain_store_can_be_encrypted_in_place(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    plain = await SQLiteMemory.open(path, FakeEmbedder())
    await plain.add_utterance(None, "user", "Quillfeather remembers")
    await plain.close()
    encrypt_file(path, "k3y")
    assert b"Quillfeather" not in all_bytes(path)
    store = await SQLiteMemory.open(path, FakeEmbedder(), key="k3y")
    assert [m.text for m in await store.list_memories()] == ["Quillfeather remembers"]
    assert (await store.search("Quillfeather"))[0].vector_rank is not None
    await store.close()
