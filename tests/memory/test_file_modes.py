"""Files at rest are the user's alone: the data directory and its folders 0700, the store (and
SQLite's -wal and -shm beside it), an encrypted store and an export 0600; a store an older
version left open to others is tightened when it is opened."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from os1.cli.main import cli
from os1.config import MemorySettings, Settings
from os1.files import open_private, private_database, private_dir, private_file, write_private
from os1.memory.sqlite import SQLiteMemory, encrypt_file, store_path
from os1.runtime import open_store
from os1.testing import FakeEmbedder


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def sides(path: Path) -> list[Path]:
    """The store and the log files SQLite keeps beside it, those that exist now."""
    return [p for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"))
            if p.exists()]


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A permissive umask (as on many machines) while a test runs: modes must not depend on it."""
    before = os.umask(0o022)
    yield
    os.umask(before)


async def test_a_fresh_store_is_private(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "new" / "deeper" / "memory.sqlite3"
    store = await SQLiteMemory.open(path, FakeEmbedder())
    await store.add_utterance(None, "user", "my sister Ana lives in Lisbon")
    found = sides(path)
    assert len(found) == 3  # the log files exist while the store is open
    assert {p.name: mode(p) for p in found} == {p.name: 0o600 for p in found}
    assert mode(path.parent) == mode(path.parent.parent) == 0o700
    await store.close()
    assert all(mode(p) == 0o600 for p in sides(path))


async def test_an_older_store_is_tightened_on_open(tmp_path: Path) -> None:
    folder = tmp_path / "users" / "default"
    old = await SQLiteMemory.open(folder / "memory.sqlite3", FakeEmbedder())
    await old.add_utterance(None, "user", "written by an older os1")
    # as an older version left it: everything readable by others, the log files still there
    for path in sides(old.path):
        path.chmod(0o644)
    (folder / "music").mkdir(mode=0o755)
    (folder / "music" / "old-piece.mid").write_bytes(b"MThd")
    (folder / "music" / "old-piece.mid").chmod(0o644)
    folder.chmod(0o755)
    opened = await SQLiteMemory.open(old.path, FakeEmbedder())
    assert [m.text for m in await opened.list_memories()] == ["written by an older os1"]
    assert all(mode(p) == 0o600 for p in sides(old.path))
    assert mode(folder) == mode(folder / "music") == 0o700
    assert mode(folder / "music" / "old-piece.mid") == 0o600
    await opened.close()
    await old.close()


def test_the_data_directory_is_tightened_by_the_runtime(os1_home: Path) -> None:
    (os1_home / "users").mkdir(parents=True, mode=0o755)  # as an older version left them
    os1_home.chmod(0o755)
    asyncio.run(_open_and_close(Settings(memory=MemorySettings(embedder="hash"))))
    path = store_path(os1_home, "default")
    assert [mode(p) for p in (os1_home, os1_home / "users", path.parent, path)] == [
        0o700, 0o700, 0o700, 0o600]


async def _open_and_close(settings: Settings) -> None:
    await (await open_store(settings)).close()


async def test_an_encrypted_store_is_private(tmp_path: Path, open_umask: None) -> None:
    pytest.importorskip("sqlcipher3")
    path = tmp_path / "secret.sqlite3"
    store = await SQLiteMemory.open(path, FakeEmbedder(), key="correct horse")
    await store.add_utterance(None, "user", "a diary entry")
    assert all(mode(p) == 0o600 for p in sides(path))
    await store.close()

    plain = tmp_path / "plain" / "m.sqlite3"
    await (await SQLiteMemory.open(plain, FakeEmbedder())).close()
    plain.chmod(0o644)  # encrypting replaces the file: the new one is private whatever the old was
    encrypt_file(plain, "correct horse")
    assert mode(plain) == 0o600


def test_export_to_a_file_is_private(os1_home: Path, tmp_path: Path, open_umask: None,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OS1_MEMORY__EMBEDDER", "hash")
    out = tmp_path / "export.jsonl"
    result = CliRunner().invoke(cli, ["memory", "export", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("{") and mode(out) == 0o600
    out.chmod(0o644)  # an older export written over is tightened too
    assert CliRunner().invoke(cli, ["memory", "export", "--format", "json", "-o", str(out)]).exit_code == 0
    assert mode(out) == 0o600


def test_helpers_create_private_and_only_tighten(tmp_path: Path, open_umask: None) -> None:
    folder = private_dir(tmp_path / "a" / "b")
    assert mode(tmp_path / "a") == mode(folder) == 0o700
    write_private(folder / "text", "hé")
    with open_private(folder / "bytes") as out:
        out.write(b"\x00")
    assert (folder / "text").read_text(encoding="utf-8") == "hé"
    assert mode(folder / "text") == mode(folder / "bytes") == mode(private_file(folder / "empty")) == 0o600
    kept = folder / "read-only"
    kept.write_text("mine")
    kept.chmod(0o444)
    private_database(kept)
    assert mode(kept) == 0o400  # tightening drops others' access and adds none
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o1777)
    private_dir(shared)
    assert mode(shared) == 0o1777  # a sticky directory (like /tmp) is shared by design: left alone


@pytest.mark.usefixtures("open_umask")
def test_the_action_ledger_mail_index_contacts_undo_and_recordings_are_private(tmp_path: Path) -> None:
    import numpy as np

    from os1.dav.merge import MergeHistory
    from os1.mail.index import MailIndex
    from os1.safety.ledger import ActionLedger
    from os1.voice.audio import write_wav

    ActionLedger(tmp_path / "user" / "actions.sqlite3")
    MailIndex(tmp_path / "user" / "mail.sqlite3")
    MergeHistory(tmp_path / "user" / "contacts-merges.json")._save([{"id": 1, "merged": "BEGIN:VCARD"}])
    write_wav(tmp_path / "said.wav", np.zeros(1600, dtype=np.float32))
    assert mode(tmp_path / "user") == 0o700
    for name in ("actions.sqlite3", "mail.sqlite3", "contacts-merges.json"):
        assert mode(tmp_path / "user" / name) == 0o600, name
    assert mode(tmp_path / "said.wav") == 0o600
