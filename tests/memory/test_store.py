"""The SQLite store: writes, hybrid search, forget, facts, and failure modes."""

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
from os1.memory.embedding.passes import embed_rows
from os1.memory.extract import is_exclusive
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


async def test_search_finds_by_words_and_ranks_relevant_first(store: SQLiteMemory) -> None:
    for text in ["the weather is grey today", "my sister Ana lives in Lisbon",
                 "I had pasta for dinner", "work was long and boring"]:
        await store.add_utterance(None, "user", text)
    hits = await store.search("where does my sister live?", k=3)
    assert hits[0].item.text == "my sister Ana lives in Lisbon"
    assert hits[0].word_rank == 0


async def test_search_excludes_and_filters_kinds(store: SQLiteMemory) -> None:
    a = await store.add_utterance(None, "user", "I love the cello")
    await store.add_facts([FactDraft("The user loves the cello.", "user", "love", "the cello")], a.id)
    hits = await store.search("cello", kinds=["fact"], exclude=[a.id])
    assert [h.item.kind for h in hits] == ["fact"]


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


async def test_repeated_fact_is_stored_once(store: SQLiteMemory) -> None:
    draft = FactDraft("The user lives in Porto.", "user", "lives_in", "Porto")
    first = await store.add_facts([draft], None, exclusive=is_exclusive)
    again = await store.add_facts([draft], None, exclusive=is_exclusive)
    assert len(first) == 1 and again == []


async def test_new_value_supersedes_exclusive_fact(store: SQLiteMemory) -> None:
    old = FactDraft("The user lives in Porto.", "user", "lives_in", "Porto")
    new = FactDraft("The user lives in Berlin.", "user", "lives_in", "Berlin")
    [porto] = await store.add_facts([old], None, exclusive=is_exclusive)
    await store.add_facts([new], None, exclusive=is_exclusive)
    kept = await store.get(porto.id)
    assert kept is not None and kept.valid_to is not None  # kept in history, no longer current
    hits = await store.search("where does the user live", kinds=["fact"])
    assert [h.item.object for h in hits] == ["Berlin"]


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


async def test_profile_round_trip(store: SQLiteMemory) -> None:
    await store.set_profile({"user_name": "Theo", "voice": "warm"})
    await store.set_profile({"voice": "calm"})
    assert await store.profile() == {"user_name": "Theo", "voice": "calm"}


async def test_deferred_vectors_are_filled_in_later(store: SQLiteMemory) -> None:
    item = await store.add_utterance(None, "assistant", "the lighthouse keeper waved", defer_vector=True)
    assert [h.vector_rank for h in await store.search("lighthouse keeper")] == [None]
    assert await store.embed_missing() == 1
    assert await store.embed_missing() == 0
    hits = await store.search("lighthouse keeper")
    assert hits[0].item.id == item.id and hits[0].vector_rank == 0


class CountingEmbedder(FakeEmbedder):
    """Counts the texts it is given to embed with their pieces."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def embed_pieces(self, texts: list[str], pieces: list[Pieces]) -> list[Vectors]:
        self.texts += texts
        return super().embed_pieces(texts, pieces)


async def test_two_background_steps_at_once_embed_each_memory_once(tmp_path: Path) -> None:
    counting = CountingEmbedder()
    store = await SQLiteMemory.open(tmp_path / "m.sqlite3", counting)
    for n in range(30):
        await store.add_utterance(None, "assistant", f"Reply {n} about the lake. We swam far out.",
                                  defer_vector=True)
    first, second = await asyncio.gather(store.embed_missing(batch=4), store.embed_missing(batch=4))
    assert sorted((first, second)) == [0, 30] and len(counting.texts) == 30
    db = sqlite3.connect(tmp_path / "m.sqlite3")
    assert db.execute("SELECT count(*) FROM piece_vectors").fetchone()[0] == 60  # whole and pieces: one pass
    await store.close()


async def test_a_fact_that_becomes_true_again_is_current_again(store: SQLiteMemory) -> None:
    lisbon = FactDraft("The user lives in Lisbon.", "user", "lives_in", "Lisbon")
    berlin = FactDraft("The user lives in Berlin.", "user", "lives_in", "Berlin")
    for draft in (lisbon, berlin, lisbon):
        await store.add_facts([draft], None, exclusive=is_exclusive)
    current = [f.object for f in await store.list_memories(kind="fact") if f.valid_to is None]
    assert current == ["Lisbon"]


async def test_markup_and_odd_text_round_trip(store: SQLiteMemory) -> None:
    text = "I [really] like [/] brackets and [bold]tags[/bold] \\ and 'quotes\""
    item = await store.add_utterance(None, "user", text)
    assert (await store.get(item.id)) is not None
    assert (await store.search("brackets tags"))[0].item.text == text


async def test_a_cancelled_call_ends_before_the_stores_next_call_starts(store: SQLiteMemory) -> None:
    log: list[str] = []
    started, release = threading.Event(), threading.Event()

    def slow() -> None:
        started.set()
        assert release.wait(HANG_S), "never released"
        log.append("slow done")

    async def call(fn: Callable[[], None]) -> None:
        async with store.backend.transaction():
            await store.backend.call(fn)

    waiting = asyncio.create_task(call(slow))
    assert await asyncio.to_thread(started.wait, HANG_S)
    waiting.cancel()  # a stopped turn, say: its store call still runs on its thread
    following = asyncio.create_task(call(lambda: log.append("next")))
    for _ in range(20):  # give the next call every chance to overtake
        await asyncio.sleep(0)
    assert not waiting.done() and log == []  # the cancelled call still holds the store's turn
    release.set()
    await following
    assert log == ["slow done", "next"]
    assert waiting.cancelled()


class RenamedEmbedder(FakeEmbedder):
    """Another model: the same vectors under a different id, as after an embedder upgrade."""

    model_id = "fake-hash-64-v2"


async def test_opening_with_another_embedder_re_embeds(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite3"
    store = await SQLiteMemory.open(path, FakeEmbedder())
    for text in ["my sister Ana lives in Lisbon", "I had pasta for dinner"]:
        await store.add_utterance(None, "user", text)
    await store.add_utterance(None, "assistant", "noted", defer_vector=True)
    await store.close()
    store = await SQLiteMemory.open(path, RenamedEmbedder())
    models = sqlite3.connect(path).execute("SELECT model, count(*) FROM vectors GROUP BY model")
    assert models.fetchall() == [("fake-hash-64-v2", 3)]
    hits = await store.search("sister Lisbon", k=1)
    assert hits[0].item.text == "my sister Ana lives in Lisbon" and hits[0].vector_rank == 0
    await store.close()


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


async def test_a_backfill_goes_a_bounded_share_at_a_time(store: SQLiteMemory) -> None:
    for n in range(10):
        await store.add_utterance(None, "user", f"{LONG} Number {n} of them.", defer_vector=False)
    assert await store.embed_missing(batch=4, pieces_at_most=4) == 0
    db = sqlite3.connect(store.path)
    assert db.execute("SELECT count(*) FROM memories WHERE pieced = 0").fetchone()[0] == 6
    await store.embed_missing()
    assert db.execute("SELECT count(*) FROM memories WHERE pieced = 0").fetchone()[0] == 0


async def test_a_vector_of_text_edited_meanwhile_is_not_stored(store: SQLiteMemory) -> None:
    item = await store.add_utterance(None, "assistant", "the lighthouse keeper waved", defer_vector=True)
    waiting = await store.learning._waiting("embedded", 10)  # read by the background step
    await store.edit(item.id, "the ferry captain shouted")  # then edited, with its new vector
    await store.learning._put_vectors(waiting, await embed_rows(store.embedder, waiting))
    hits = await store.search("zzz", vector=(await store.embed(["the ferry captain shouted"]))[0], k=1)
    assert hits[0].item.id == item.id and hits[0].score > 0.99  # the new text's vector stands


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
