"""What only the PostgreSQL backend promises, against a real server (``pg_dsn`` in conftest.py):
its tables, one user's rows out of every other user's reach, the schema and the pool. What both
backends promise is in test_contract.py."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from os1.errors import MemoryStoreError
from os1.memory.backends.postgres.schema import MIGRATIONS
from os1.memory.base import FactDraft
from os1.memory.postgres import PostgresMemory
from os1.memory.ranking import Context
from os1.testing import FakeEmbedder

pytestmark = pytest.mark.integration


@pytest.fixture
def dsn(pg_dsn: str) -> str:
    return pg_dsn


def new_user() -> str:
    return f"user-{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def store(dsn: str) -> AsyncIterator[PostgresMemory]:
    memory = await PostgresMemory.open(dsn, new_user(), FakeEmbedder())
    yield memory
    await memory.close()


async def scalar(dsn: str, query: str, params: tuple[Any, ...]) -> Any:
    """One value, read with a separate connection (straight from the tables)."""
    async with await psycopg.AsyncConnection.connect(dsn) as conn:
        row = await (await conn.execute(query, params)).fetchone()
        return row[0] if row else None


async def test_utterance_is_stored_with_vector_and_words(store: PostgresMemory, dsn: str) -> None:
    item = await store.add_utterance(None, "user", "I adopted a cat named Miso")
    assert await scalar(dsn, "SELECT text FROM os1_memories WHERE id = %s", (item.id,)) == item.text
    vector = "SELECT model || ' ' || vector_dims(v) FROM os1_vectors WHERE memory_id = %s"
    assert await scalar(dsn, vector, (item.id,)) == "fake-hash-64 64"
    found = await scalar(dsn, "SELECT id FROM os1_memories WHERE user_id = %s AND words @@ 'miso'",
                         (store.user,))
    assert found == item.id




async def test_common_words_still_rank_recent_matches(store: PostgresMemory, dsn: str) -> None:
    # every word common (>= COMMON_TERM matches) takes the bounded "most recent" path
    texts = [f"coffee note number {i}" for i in range(510)]
    async with await psycopg.AsyncConnection.connect(dsn) as conn:
        async with conn.cursor() as cur:
            await cur.executemany("INSERT INTO os1_memories (user_id, kind, text, created_at)"
                                  " VALUES (%s, 'utterance', %s, 1)", [(store.user, t) for t in texts])
    hits = await store.search("coffee", k=5, vector=(await store.embed(["unrelated"]))[0])
    assert len(hits) == 5 and all(h.word_rank is not None for h in hits)





async def test_forget_deletes_row_vector_and_derived_facts(store: PostgresMemory, dsn: str) -> None:
    said = await store.add_utterance(None, "user", "my brother Tom works at the bakery")
    [fact] = await store.add_facts(
        [FactDraft("The user's brother Tom works at the bakery.", "user's brother Tom", "works_at",
                   "the bakery")], said.id)
    assert await store.forget(said.id)
    for table, column in (("os1_memories", "id"), ("os1_vectors", "memory_id")):
        left = await scalar(dsn, f"SELECT count(*) FROM {table} WHERE {column} = ANY(%s)",
                            ([said.id, fact.id],))
        assert left == 0, table
    assert await store.get(fact.id) is None
    assert await store.search("bakery") == []
    assert not await store.forget(said.id)









async def test_one_user_cannot_reach_another_users_memories(dsn: str) -> None:
    alice = await PostgresMemory.open(dsn, new_user(), FakeEmbedder())
    bob = await PostgresMemory.open(dsn, new_user(), FakeEmbedder())
    session = await alice.start_session()
    said = await alice.add_utterance(session, "user", "my secret password hint is the blue heron")
    [fact] = await alice.add_facts([FactDraft("The user's hint is the blue heron.", "user", "hint",
                                              "the blue heron")], said.id)
    late = await alice.add_utterance(None, "user", "heron sightings log", defer_vector=True)
    await alice.set_profile({"user_name": "Alice"})
    [vector] = await bob.embed(["secret password hint blue heron"])

    assert await bob.get(said.id) is None and await bob.get(fact.id) is None
    assert await bob.search("blue heron secret", vector=vector, include_superseded=True) == []
    async with bob.backend.transaction() as tx:  # not even the candidate lists, nor any primitive
        assert await tx.word_ranks(["heron"], 50, None) == []
        assert await tx.term_counts(["heron"], 9) == {"heron": 0}
        assert await tx.nearest(vector, 50, 50) == ([], [])
        assert await tx.similarities([said.id, fact.id], vector) == ({}, {})
        assert await tx.vectors([said.id]) == {} and await tx.vector_count() == 0
        assert await tx.neighbours([said.id]) == Context({}, {})
    assert await bob.export() == [] and await bob.count() == {} and await bob.profile() == {}
    assert await bob.list_memories() == [] and await bob.recent_utterances(10) == []
    assert await bob.find_utterance(said.text, said.created_at) is None
    assert not await bob.forget(said.id) and not await bob.forget(fact.id)
    assert await bob.edit(said.id, "overwritten") is None
    await bob.mark_learned(said.id)
    assert await bob.unlearned() == []
    assert await bob.embed_missing() == 0
    with pytest.raises(MemoryStoreError, match="no memory"):
        await bob.related(said.id)
    with pytest.raises(MemoryStoreError, match="refused a write"):
        await bob.add_facts([FactDraft("Bob hijacks.", "user", "note", "x")], said.id)
    with pytest.raises(MemoryStoreError, match="refused a write"):
        await bob.add_utterance(session, "user", "into Alice's session")

    assert await alice.get(said.id) == said and await alice.get(fact.id) == fact
    assert [m.id for m in await alice.unlearned()] == [said.id, late.id]
    assert await alice.embed_missing() == 1 and (await alice.get(late.id)) is not None
    assert len(await alice.export()) == 3 and await alice.profile() == {"user_name": "Alice"}
    assert (await alice.search("blue heron"))[0].item.id in (said.id, fact.id)
    await alice.close()
    await bob.close()


async def test_schema_is_created_once_and_data_outlives_the_store(dsn: str) -> None:
    user = new_user()
    first = await PostgresMemory.open(dsn, user, FakeEmbedder())
    item = await first.add_utterance(None, "user", "kept across opens")
    await first.close()
    again = await PostgresMemory.open(dsn, user, FakeEmbedder())
    assert await again.get(item.id) == item
    await again.close()
    assert await scalar(dsn, "SELECT count(*) FROM os1_migrations WHERE name = %s", ("m001_initial",)) == 1


async def test_shared_pool_serves_many_users_and_stays_open(dsn: str) -> None:
    from psycopg_pool import AsyncConnectionPool

    async with AsyncConnectionPool(dsn, min_size=1, max_size=2, open=False) as pool:
        stores = [await PostgresMemory.open(pool, new_user(), FakeEmbedder()) for _ in range(3)]
        for n, s in enumerate(stores):
            await s.add_utterance(None, "user", f"note {n}")
        assert [[m.text for m in await s.list_memories()] for s in stores] == [["note 0"], ["note 1"],
                                                                                ["note 2"]]
        for s in stores:
            await s.close()
        assert not pool.closed


async def test_unreachable_server_is_one_clear_error() -> None:
    with pytest.raises(MemoryStoreError, match="cannot reach PostgreSQL 127.0.0.1:1/os1") as err:
        await PostgresMemory.open("postgresql://os1:secret@127.0.0.1:1/os1", new_user(), FakeEmbedder())
    assert "\n" not in str(err.value) and "secret" not in str(err.value)


async def test_bad_user_and_closed_store_are_clear_errors(dsn: str) -> None:
    with pytest.raises(MemoryStoreError, match="bad user id"):
        await PostgresMemory.open(dsn, "", FakeEmbedder())
    memory = await PostgresMemory.open(dsn, new_user(), FakeEmbedder())
    await memory.compact()
    await memory.close()
    with pytest.raises(MemoryStoreError, match="closed"):
        await memory.get(1)


async def test_companion_runs_on_postgres_from_settings(dsn: str, tmp_path: Path) -> None:
    """The whole turn loop on the PostgreSQL backend, chosen by settings as an operator would."""
    from os1.agent.companion import Companion, TurnSettings
    from os1.agent.persona import Persona
    from os1.config import Settings
    from os1.runtime import open_store
    from os1.testing import ScriptedLLM

    user = new_user()
    settings = Settings(home=tmp_path, user=user, memory={"backend": "postgres", "postgres_dsn": dsn,
                                                           "embedder": "hash"})
    store = await open_store(settings)
    persona = Persona.from_profile({})
    said = [e async for e in Companion(ScriptedLLM("Lovely."), store, persona, TurnSettings())
            .respond("My sister Ana lives in Lisbon.")]
    assert said
    model = ScriptedLLM("She does.")
    companion = Companion(model, store, persona, TurnSettings(history_tokens=5))
    async for _ in companion.respond("Where does my sister live?"):
        pass
    await companion.drain()
    assert "Lisbon" in model.history[0][0][-1].content
    facts = await store.list_memories(kind="fact")
    assert sorted(f.object or "" for f in facts) == ["Ana", "Lisbon"]  # her name, where she lives
    await store.close()



class RenamedEmbedder(FakeEmbedder):
    """Another model: the same vectors under a different id, as after an embedder upgrade."""

    model_id = "fake-hash-64-v2"



LONG = ("We spent the whole weekend at the lake with my cousins and their two noisy dogs."
        " I play the violin.")



async def test_memories_stored_before_sentence_vectors_get_theirs(store: PostgresMemory, dsn: str) -> None:
    long = await store.add_utterance(None, "user", LONG)
    short = await store.add_utterance(None, "user", "I play the piano sometimes at the weekend.")
    await store.embed_missing()
    (backfill,) = [statements for name, statements in MIGRATIONS if name == "m005_piece_backfill"]
    async with await psycopg.AsyncConnection.connect(dsn) as conn:  # as before sentence vectors
        await conn.execute("DELETE FROM os1_piece_vectors WHERE user_id = %s", (store.user,))
        await conn.execute("UPDATE os1_memories SET pieced = true WHERE user_id = %s", (store.user,))
        for statement in backfill:
            await conn.execute(statement)
    flags = "SELECT pieced FROM os1_memories WHERE user_id = %s AND id = %s"
    assert await scalar(dsn, flags, (store.user, long.id)) is False
    await store.embed_missing()  # the background step after the next turn
    pieces = "SELECT count(*) FROM os1_piece_vectors WHERE user_id = %s AND memory_id = %s"
    assert await scalar(dsn, pieces, (store.user, long.id)) == 2
    assert await scalar(dsn, pieces, (store.user, short.id)) == 0  # one sentence: nothing to add
    assert await scalar(dsn, flags, (store.user, short.id)) is True  # and not asked again
