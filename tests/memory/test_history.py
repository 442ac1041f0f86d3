"""Past conversations brought in with their dates: transcripts, ChatGPT exports, the import."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from os1.cli.main import cli
from os1.errors import InputError
from os1.memory.history.chatgpt import read_chatgpt
from os1.memory.history.dates import parse_time
from os1.memory.history.importing import import_history
from os1.memory.history.transcript import read_transcript
from os1.memory.sqlite import SQLiteMemory


def at(text: str) -> float:
    return datetime.fromisoformat(text).astimezone().timestamp()


def test_times_are_read_as_people_write_them() -> None:
    assert parse_time("2026-11-03 09:30") == at("2026-11-03 09:30")
    assert parse_time("2026-11-03T09:30:00Z") == 1_793_698_200.0
    assert parse_time("1793698200") == 1_793_698_200.0
    with pytest.raises(InputError, match="not a time"):
        parse_time("soon-ish")


TRANSCRIPT = """\
[2026-03-01 09:00] me: I live in Lisbon.
[2026-03-01 09:01] os1: Lovely city.
and sunny.
2026-03-01T09:02 me: My sister Ana lives in Lisbon too.
---
[2026-03-20 18:00] Noor: I moved to Berlin last week.
os1: How is it?
"""


def test_a_transcript_is_read_with_times_speakers_and_conversations() -> None:
    first, second = read_transcript(TRANSCRIPT, user="Noor")
    assert [(s.role, s.at) for s in first.said] == [
        ("user", at("2026-03-01 09:00")), ("assistant", at("2026-03-01 09:01")),
        ("user", at("2026-03-01 09:02"))]
    assert first.said[1].text == "Lovely city.\nand sunny."
    assert [(s.role, s.at) for s in second.said] == [("user", at("2026-03-20 18:00")),
                                                     ("assistant", at("2026-03-20 18:01"))]


@pytest.mark.parametrize("bad", ["hello: no time at all", "[2026-13-45 99:00] me: hi"])
def test_a_bad_transcript_says_which_line(bad: str) -> None:
    with pytest.raises(InputError, match="line 1"):
        read_transcript(bad)


def _node(key: str, parent: str | None, role: str, text: str, when: float,
          children: list[str]) -> dict[str, object]:
    return {"id": key, "parent": parent, "children": children, "message": {
        "author": {"role": role}, "create_time": when,
        "content": {"content_type": "text", "parts": [text]}}}


EXPORT = [{
    "title": "Moving", "create_time": 1_780_000_000.0, "current_node": "c",
    "mapping": {
        "root": {"id": "root", "parent": None, "children": ["s"], "message": None},
        "s": _node("s", "root", "system", "You are ChatGPT.", 1_780_000_000.0, ["a"]),
        "a": _node("a", "s", "user", "I work at Google.", 1_780_000_010.0, ["b", "x"]),
        "x": _node("x", "a", "assistant", "An answer the user regenerated.", 1_780_000_015.0, []),
        "b": _node("b", "a", "assistant", "Nice!", 1_780_000_020.0, ["c"]),
        "c": _node("c", "b", "user", "I work at Spotify now.", 1_780_090_000.0, []),
    }}]


def test_a_chatgpt_export_is_read_along_the_branch_the_user_saw() -> None:
    [conversation] = read_chatgpt(json.dumps(EXPORT).encode())
    assert [(s.role, s.text, s.at) for s in conversation.said] == [
        ("user", "I work at Google.", 1_780_000_010.0), ("assistant", "Nice!", 1_780_000_020.0),
        ("user", "I work at Spotify now.", 1_780_090_000.0)]
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:  # the export as downloaded
        archive.writestr("conversations.json", json.dumps(EXPORT))
    assert read_chatgpt(packed.getvalue()) == [conversation]


@pytest.mark.parametrize("bad", [b"", b"{}", b"[1]", b"PK\x03\x04 not a zip"])
def test_what_is_not_a_chatgpt_export_is_one_error(bad: bytes) -> None:
    with pytest.raises(InputError):
        read_chatgpt(bad)


async def test_imported_history_keeps_its_dates_and_its_changes(store: SQLiteMemory) -> None:
    conversations = read_chatgpt(json.dumps(EXPORT).encode())
    done = await import_history(store, conversations)
    assert (done.messages, done.facts) == (3, 2)
    said = await store.list_memories(kind="utterance", newest_first=False)
    assert [m.created_at for m in said] == [1_780_000_010.0, 1_780_000_020.0, 1_780_090_000.0]
    facts = {f.object: f for f in await store.list_memories(kind="fact")}
    assert facts["Google"].valid_to == 1_780_090_000.0 and facts["Spotify"].valid_to is None
    again = await import_history(store, conversations)
    assert (again.messages, again.facts) == (0, 0)


def test_os1_memory_import_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OS1_MEMORY__EMBEDDER", "hash")
    past = tmp_path / "past.txt"
    past.write_text(TRANSCRIPT)
    export = tmp_path / "conversations.json"
    export.write_text(json.dumps(EXPORT))
    for path, new in ((past, 5), (export, 3), (past, 0)):
        done = CliRunner().invoke(cli, ["memory", "import-history", str(path), "--user", "Noor"])
        assert done.exit_code == 0 and f"Imported {new} new messages" in done.output, done.output
    bad = tmp_path / "bad.txt"
    bad.write_text("no time here: at all")
    done = CliRunner().invoke(cli, ["memory", "import-history", str(bad)])
    assert done.exit_code == 2 and "line 1" in done.output
