"""What only the SQLite backend promises: its file and its tables, other processes writing the
same file, and its failure modes. What both backends promise is in test_contract.py."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from os1.errors import MemoryStoreError
from os1.memory.base import FactDraft, Pieces, Vectors
from os1.memory.sqlite import SQLiteMemory, store_path
from os1.testing import FakeEmbedder
from tests.conftest import HANG_S


async def test_utterance_is_stored_with_vector_and_fts(store: SQLiteMemory) -> None:
    item = await store.add_utterance(None, "user", "I adopted a cat named Miso")
    db = sqlite3.connect(store.path)
    assert db.execute("SELECT text FROM memories WHERE id=?", (item.id,)).fetchone()[0].endswith("Miso")
    assert db.execute("SELECT count(*) FROM vectors WHERE memory_id=?", (item.id,)).fetchone()[0] == 1
    fts = db.execute("SELECT rowid FROM memories_fts WHERE memories_fts MATCH 'miso'").fetchall()
    assert fts == [(item.id,)]




async def test_forget_deletes_row_vector_fts_and_derived_facts(store: SQLiteMemory) -> None:
    said = await store.add_utterance(None, "user", "my brother Tom works at the bakery")
    [fact] = await store.add_facts(
        [FactDraft("The user's brother Tom works at the bakery.", "user's brother Tom", "works_at",
                   "the bakery")], said.id)
    assert await store.forget(said.id)
    db = sqlite3.connect(store.path)
    for table, column in (("memories", "id"), ("vectors", "memory_id")):
        left = db.execute(f"SELECT count(*) FROM {table} WHERE {column} IN (?, ?)",
                          (said.id, fact.id)).fetchone()[0]
        assert left == 0, table
    fts = db.execute("SELECT count(*) FROM memories_fts WHERE memories_fts MATCH 'bakery'").fetchone()
    assert fts[0] == 0
    assert await store.search("bakery") == []
    assert not await store.forget(said.id)




async def test_index_follows_writes_from_another_process(store: SQLiteMemory) -> None:
    await store.add_utterance(None, "user", "first thing")
    code = (
        "import asyncio, sys; from pathlib import Path; from os1.memory.sqlite import SQLiteMemory;"
        "from os1.testing import FakeEmbedder\n"
        "async def main():\n"
        "    s = await SQLiteMemory.open(Path(sys.argv[1]), FakeEmbedder())\n"
        "    await s.add_utterance(None, 'user', 'the zeppelin landed in the garden')\n"
        "    await s.close()\n"
        "asyncio.run(main())"
    )
    await asyncio.to_thread(subprocess.run, [sys.executable, "-c", code, str(store.path)], check=True)
    hits = await store.search("zeppelin garden")
    assert hits and "zeppelin" in hits[0].item.text
    assert any(h.vector_rank is not None for h in hits)


def test_concurrent_writer_processes_do_not_lock_out(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    code = (
        "import asyncio, sys; from pathlib import Path; from os1.memory.sqlite import SQLiteMemory;"
        "from os1.testing import FakeEmbedder\n"
        "async def main():\n"
        "    s = await SQLiteMemory.open(Path(sys.argv[1]), FakeEmbedder())\n"
        "    for i in range(40):\n"
        "        await s.add_utterance(None, 'user', f'writer {sys.argv[2]} line {i}')\n"
        "    await s.close()\n"
        "asyncio.run(main())"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path), str(n)],
                              stderr=subprocess.PIPE) for n in range(3)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM memories").fetchone()[0] == 120
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


async def test_unusable_data_directory_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(MemoryStoreError, match="writable directory"):
        await SQLiteMemory.open(blocker / "sub" / "memory.sqlite3", FakeEmbedder())


async def test_read_only_database_file_refuses_writes_clearly(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    s = await SQLiteMemory.open(path, FakeEmbedder())
    await s.add_utterance(None, "user", "kept safe")
    await s.close()
    ro = await _open_read_only(path)
    with pytest.raises(MemoryStoreError, match="read-only"):
        await ro.add_utterance(None, "user", "will not fit")
    await ro.close()
    assert sqlite3.connect(path).execute("SELECT count(*) FROM memories").fetchone()[0] == 1


async def _open_read_only(path: Path) -> SQLiteMemory:
    """A store whose connection SQLite itself treats as read-only (works even as root)."""
    store = await SQLiteMemory.open(path, FakeEmbedder())
    await store.backend.call(lambda: store.backend.db.execute("PRAGMA query_only = ON"))
    return store


async def test_damaged_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not a database" * 200)
    with pytest.raises(MemoryStoreError, match="damaged or not a database"):
        await SQLiteMemory.open(path, FakeEmbedder())


def test_store_path_refuses_path_tricks(tmp_path: Path) -> None:
    assert store_path(tmp_path, "ana").parent.name == "ana"
    for bad in ("../x", "a/b", "", ".hidden"):
        with pytest.raises(MemoryStoreError):
            store_path(tmp_path, bad)




class CountingEmbedder(FakeEmbedder):
    """Counts the texts it is given to embed with their pieces."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def embed_pieces(self, texts: list[str], pieces: list[Pieces]) -> list[Vectors]:
        self.texts += texts
        return super().embed_pieces(texts, pieces)





class SlowCall:
    """A store call that runs until released, logging when it is done."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.started, self.release = threading.Event(), threading.Event()

    def __call__(self) -> None:
        self.started.set()
        assert self.release.wait(HANG_S), "never released"
        self.log.append("slow done")

    async def running(self) -> None:
        assert await asyncio.to_thread(self.started.wait, HANG_S)


async def yield_to_the_loop(times: int) -> None:
    """Let every ready task take ``times`` steps (no clock is waited on)."""
    for _ in range(times):
        await asyncio.sleep(0)


async def test_a_cancelled_call_ends_before_the_stores_next_call_starts(store: SQLiteMemory) -> None:
    slow = SlowCall()
    log = slow.log

    async def call(fn: Callable[[], None]) -> None:
        async with store.backend.transaction():
            await store.backend.call(fn)

    waiting = asyncio.create_task(call(slow))
    await slow.running()
    waiting.cancel()  # a stopped turn, say: its store call still runs on its thread
    following = asyncio.create_task(call(lambda: log.append("next")))
    await yield_to_the_loop(20)  # give the next call every chance to overtake
    assert not waiting.done() and log == []  # the cancelled call still holds the store's turn
    slow.release.set()
    await following
    assert log == ["slow done", "next"]
    assert waiting.cancelled()


async def test_a_call_cancelled_again_and_again_still_ends_before_the_store_closes(
        store: SQLiteMemory) -> None:
    """A server shutting down cancels a background step's store call at every await (anyio's
    cancel scopes): the close must still wait for SQLite to finish, or two threads would use one
    connection at once and crash the process."""
    slow = SlowCall()

    async def call() -> None:
        async with store.backend.transaction():
            await store.backend.call(slow)

    waiting = asyncio.create_task(call())
    await slow.running()
    for _ in range(5):  # cancelled, and cancelled again while it waits for the call to end
        waiting.cancel()
        await yield_to_the_loop(4)
    closing = asyncio.create_task(store.backend.close())
    await yield_to_the_loop(20)
    assert not closing.done() and not waiting.done() and slow.log == []
    slow.release.set()
    await closing
    assert slow.log == ["slow done"]
    assert waiting.cancelled()


class RenamedEmbedder(FakeEmbedder):
    """Another model: the same vectors under a different id, as after an embedder upgrade."""

    model_id = "fake-hash-64-v2"



LONG = ("We spent the whole weekend at the lake with my cousins and their two noisy dogs."
        " I play the violin.")


async def test_memories_stored_before_sentence_vectors_get_theirs(tmp_path: Path) -> None:
    store = await SQLiteMemory.open(tmp_path / "m.sqlite3", FakeEmbedder())
    long = await store.add_utterance(None, "user", LONG)
    short = await store.add_utterance(None, "user", "I play the piano sometimes at the weekend.")
    await store.embed_missing()
    await store.close()
    db = sqlite3.connect(tmp_path / "m.sqlite3")
    with db:  # as a store from before sentence vectors left them
        db.execute("DELETE FROM piece_vectors")
        db.execute("UPDATE memories SET pieced = 1")
        db.execute("DELETE FROM _os1_migrations WHERE name = 'm007_piece_backfill'")
    store = await SQLiteMemory.open(tmp_path / "m.sqlite3", FakeEmbedder())
    flags = dict(db.execute("SELECT id, pieced FROM memories").fetchall())
    assert flags == {long.id: 0, short.id: 1}  # only the one of several sentences waits
    await store.embed_missing()  # the background step after the next turn
    assert db.execute("SELECT count(*) FROM piece_vectors WHERE memory_id = ?", (long.id,)).fetchone()[0] == 2
    await store.close()




async def test_a_sentence_inside_a_long_memory_is_found_by_its_own_vector(store: SQLiteMemory) -> None:
    long = await store.add_utterance(None, "user", LONG)
    other = await store.add_utterance(None, "user", "I play the piano sometimes at the weekend.")
    query = (await store.embed(["I play the violin"]))[0]
    before = await store.search("zzz", vector=query, k=2)  # no word matches: vectors alone
    assert before[0].item.id == other.id  # the whole long memory's vector is diluted
    await store.embed_missing()  # the background step embeds its sentences
    db = sqlite3.connect(store.path)
    assert db.execute("SELECT count(*) FROM piece_vectors WHERE memory_id = ?", (long.id,)).fetchone()[0] == 2
    after = await store.search("zzz", vector=query, k=2)
    assert after[0].item.id == long.id
    await store.edit(long.id, "I play the cello. We spent the weekend at the lake with the dogs.")
    assert db.execute("SELECT count(*) FROM piece_vectors WHERE memory_id = ?", (long.id,)).fetchone()[0] == 0
    await store.embed_missing()  # the new text's pieces
    assert db.execute("SELECT count(*) FROM piece_vectors WHERE memory_id = ?", (long.id,)).fetchone()[0] == 2
    assert await store.forget(long.id)
    assert db.execute("SELECT count(*) FROM piece_vectors").fetchone()[0] == 0
    assert len(store.backend.pieces) == 0


async def test_primitives_asked_together_share_one_trip(store: SQLiteMemory,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    trips: list[int] = []
    call = store.backend.call

    async def counted(fn: Callable[..., object], *args: object) -> object:
        trips.append(1)
        return await call(fn, *args)

    await store.add_utterance(None, "user", "the kettle sang")
    monkeypatch.setattr(store.backend, "call", counted)
    async with store.backend.transaction() as tx:
        kinds, profile, words = await asyncio.gather(tx.count_kinds(), tx.profile(),
                                                     tx.term_counts(["kettle"], 5))
    assert (kinds, profile, words) == ({"utterance": 1}, {}, {"kettle": 1}) and len(trips) == 1


async def test_a_store_from_before_private_memories_keeps_its_memories_shared(tmp_path: Path) -> None:
    store = await SQLiteMemory.open(tmp_path / "m.sqlite3", FakeEmbedder())
    kept = await store.add_utterance(None, "user", "my sister Ana is pregnant")
    await store.close()
    db = sqlite3.connect(tmp_path / "m.sqlite3")
    with db:  # as a store from before the flag
        db.execute("ALTER TABLE memories DROP COLUMN private")
        db.execute("DELETE FROM _os1_migrations WHERE name = 'm008_private'")
    store = await SQLiteMemory.open(tmp_path / "m.sqlite3", FakeEmbedder())
    try:
        assert (await store.get(kept.id)) == kept  # there, and not private
        assert [m.private for m in await store.keep_private([kept.id])] == [True]
    finally:
        await store.close()
        db.close()
