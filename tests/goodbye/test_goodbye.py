"""The goodbye: the letter from memory, the export verified, and erasing with a check of the
bytes; then ``os1 goodbye`` as a person runs it, confirming twice."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from os1.cli.main import cli
from os1.goodbye.erasing import Proof, check
from os1.goodbye.flow import erase_all, prepare
from os1.goodbye.verify import EXPORT, problems
from os1.memory.extract import extract_rules
from os1.memory.moments import ImageDraft, MomentDraft
from os1.memory.sqlite import SQLiteMemory
from os1.testing import FakeEmbedder

SECRET = "my grandmother's recipe uses exactly seventeen cardamom pods"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))


async def filled(path: Path) -> SQLiteMemory:
    store = await SQLiteMemory.open(path, FakeEmbedder())
    await store.set_profile({"user_name": "Theo", "os_name": "Ada"})
    session = await store.start_session()
    said = await store.add_utterance(session, "user", f"I live in Lisbon and {SECRET}.")
    await store.add_facts(extract_rules("I live in Lisbon."), said.id)
    await store.add_utterance(session, "assistant", "Lisbon is lovely.")
    digest = hashlib.sha256(PNG).hexdigest()
    await store.add_moment(MomentDraft("photo", f"photo:{digest}", "The user showed you a photo of the sea.",
                                       {"title": "the sea"}, (ImageDraft(digest, "image/png", PNG),)))
    return store


async def test_prepare_verifies_then_erasing_leaves_no_trace(tmp_path: Path) -> None:
    user_dir = tmp_path / "home" / "users" / "theo"
    store = await filled(user_dir / "memory.sqlite3")
    out = tmp_path / "goodbye"
    prepared = await prepare(store, "theo", out, user_dir=user_dir)
    await store.close()
    assert prepared.verified, prepared.problems
    letter = prepared.letter
    assert "Dear Theo" in letter and "Lisbon" in letter and letter.rstrip().endswith("Ada")
    index = (out / "archive" / "index.html").read_text()
    assert "seventeen cardamom" in index and "<script" not in index
    assert len(list((out / "archive" / "images").iterdir())) == 1
    facts = [json.loads(x) for x in (out / "memory-folder" / "facts.jsonl").read_text().splitlines()]
    assert any("Lisbon" in f["text"] for f in facts)
    assert set(prepared.files) >= {EXPORT, "farewell.txt", "archive/index.html", "memory-folder/README.md"}
    assert all(p.stat().st_mode & 0o077 == 0 for p in out.rglob("*"))  # only the person may read it

    (out / EXPORT).write_text((out / EXPORT).read_text().replace("Lisbon is lovely", "Porto"))
    assert problems(prepared.keepsakes, out)  # a damaged export is caught
    (out / EXPORT).write_text((out / EXPORT).read_text().replace("Porto", "Lisbon is lovely"))

    other = tmp_path / "home" / "users" / "someone-else.txt"
    other.write_text("nothing of theirs")
    proof = await erase_all(prepared, [user_dir], [tmp_path / "home"])
    assert proof.clean and not user_dir.exists() and proof.checked_files >= 1
    assert {Path(str(e["path"])).name for e in proof.erased} >= {"memory.sqlite3"}
    assert json.loads((out / "erasure-proof.json").read_text())["clean"] is True
    for path in (tmp_path / "home").rglob("*"):  # read the bytes ourselves, too
        assert not path.is_file() or SECRET.encode() not in path.read_bytes()


def test_the_check_finds_a_trace_left_behind(tmp_path: Path) -> None:
    (tmp_path / "stray.bin").write_bytes(b"x" * (1 << 20) + SECRET.encode())  # across a block edge
    proof = Proof()
    check([tmp_path], [SECRET[10:42].encode()], proof)
    assert not proof.clean and proof.traces_found == [str(tmp_path / "stray.bin")]


def test_os1_goodbye_exports_and_erases_only_after_two_yeses(tmp_path: Path, os1_home: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    asyncio.run(_seed(os1_home / "users" / "default" / "memory.sqlite3"))
    monkeypatch.setenv("OS1_MEMORY__EMBEDDER", "hash")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    def goodbye(folder: str, answers: str | bytes) -> Result:
        return CliRunner().invoke(cli, ["goodbye", "--to", str(tmp_path / folder)], input=answers)

    garbled = goodbye("garbled", b"\xff\xfe\xfd\n")  # an answer that is not text: one line, nothing erased
    assert garbled.exit_code == 2, garbled.output
    assert "not valid UTF-8" in garbled.stderr and "Traceback" not in garbled.output
    assert (os1_home / "users" / "default" / "memory.sqlite3").exists()
    kept = goodbye("first", "goodbye\nno\n")
    assert kept.exit_code == 0, kept.output
    assert "Nothing was erased" in kept.stdout
    assert (os1_home / "users" / "default" / "memory.sqlite3").exists()
    done = goodbye("second", "goodbye\nerase\n")
    assert done.exit_code == 0, done.output
    assert not (os1_home / "users" / "default").exists()
    proof = json.loads((tmp_path / "second" / "erasure-proof.json").read_text())
    assert proof["clean"] and proof["traces_looked_for"] >= 1
    assert (tmp_path / "second" / "archive" / "index.html").is_file()


async def _seed(path: Path) -> None:
    store = await filled(path)
    await store.close()
