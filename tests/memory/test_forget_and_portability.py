"""Forgetting leaves no bytes behind; export and import round-trip; edit and history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from os1.errors import InputError
from os1.memory.extract import extract_rules, is_exclusive
from os1.memory.portability import export_lines, import_export, read_export
from os1.memory.sqlite import SQLiteMemory
from os1.testing import FakeEmbedder

SECRET = "Zanzibarquokka Velvetmongoose"


def file_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


async def test_forgotten_text_is_gone_from_the_file_and_wal(store: SQLiteMemory) -> None:
    for i in range(30):
        await store.add_utterance(None, "user", f"ordinary line {i} about tea and weather")
    said = await store.add_utterance(None, "user", f"my friend {SECRET} lives in Lisbon")
    await store.add_facts(extract_rules(said.text), said.id, exclusive=is_exclusive)
    assert SECRET.split()[0].encode() in file_bytes(store.path)
    await store.forget(said.id)
    await store.compact()
    data = file_bytes(store.path).lower()
    for word in SECRET.lower().split():
        assert word.encode() not in data
        assert word[:8].encode() not in data  # no stem or prefix left in the word index either
    assert len(await store.list_memories(limit=100)) == 30


async def test_export_import_round_trip(store: SQLiteMemory, tmp_path: Path) -> None:
    said = await store.add_utterance(None, "user", "My sister Ana lives in Lisbon.")
    await store.add_facts(extract_rules(said.text), said.id, exclusive=is_exclusive)
    await store.add_utterance(None, "assistant", "How lovely.", status="interrupted")
    await store.set_profile({"user_name": "Theo"})
    out = tmp_path / "export.jsonl"
    out.write_text("\n".join(json.dumps(x) for x in await export_lines(store, "default")))

    other = await SQLiteMemory.open(tmp_path / "other.sqlite3", FakeEmbedder())
    header, items = read_export(out)
    assert await import_export(other, header, items) == 4  # two turns, the sister's name and city
    assert await import_export(other, header, items) == 0  # repeats are skipped
    mine = [(m["kind"], m["text"], m["status"]) for m in await store.export()]
    theirs = [(m["kind"], m["text"], m["status"]) for m in await other.export()]
    assert mine == theirs
    fact = next(m for m in await other.export() if m["kind"] == "fact")
    source = await other.get(fact["source_id"])
    assert source is not None and "sister Ana" in source.text
    assert (await other.profile())["user_name"] == "Theo"
    assert (await other.search("sister Lisbon"))[0].vector_rank is not None  # vectors rebuilt
    await other.close()


@pytest.mark.parametrize(("content", "message"), [
    ("", "empty"), ("not json\n", "not an os1 export"), ('{"format": "other"}\n', "no 'os1-memory'"),
    ('{"format": "os1-memory", "version": 9}\n', "not supported"),
    ('{"format": "os1-memory", "version": 1}\n{"id": 1}\n', "malformed"),
])
def test_bad_imports_are_refused_clearly(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        read_export(path)


def test_json_document_export_reads_too(tmp_path: Path) -> None:
    path = tmp_path / "e.json"
    path.write_text(json.dumps({"format": "os1-memory", "version": 1, "memories": [
        {"id": 1, "kind": "utterance", "text": "hi"}]}))
    header, items = read_export(path)
    assert header["version"] == 1 and items[0]["text"] == "hi"

