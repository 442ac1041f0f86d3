"""The PostgreSQL store against a real server: PostgreSQL 16 with pgvector from the ``pgserver``
wheel, started once for this module in a temp directory and reached over its Unix socket only
(it listens on no TCP address). As root, pgserver runs the server as a ``pgserver`` system user
that it creates with ``useradd``, since PostgreSQL refuses to run as root.

Every test uses fresh user ids, so the tests share the database and never see each other's rows.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import uuid
import warnings
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from os1.errors import MemoryStoreError
from os1.memory.backends.postgres.schema import MIGRATIONS
from os1.memory.base import FactDraft
from os1.memory.embedding.passes import embed_rows
from os1.memory.extract import is_exclusive
from os1.memory.postgres import PostgresMemory
from os1.memory.ranking import Context
from os1.testing import FakeEmbedder

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def dsn() -> Iterator[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns at import when XDG_RUNTIME_DIR is unset
        from pgserver.postgres_server import get_server
    root = Path(tempfile.mkdtemp(prefix="os1-pg-"))  # short: the socket path must fit in 107 bytes
    server = get_server(root / "pgdata", cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
        shutil.rmtree(root, ignore_errors=True)


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


async def test_search_finds_by_words_and_ranks_relevant_first(store: PostgresMemory) -> None:
    for text in ["the weather is grey today", "my sister Ana lives in Lisbon",
                 "I had pasta for dinner", "work was long and boring"]:
        await store.add_utterance(None, "user", text)
    hits = await store.search("where does my sister live?", k=3)
    assert hits[0].item.text == "my sister Ana lives in Lisbon"
    assert hits[0].word_rank == 0 and hits[0].vector_rank is not None


async def test_search_finds_by_vector_alone(store: PostgresMemory) -> None:
    item = await store.add_utterance(None, "user", "the zeppelin landed in the garden")
    await store.add_utterance(None, "user", "taxes are due in April")
    [vector] = await store.embed(["zeppelin landed garden"])
    hits = await store.search("nothing shared here", vector=vector)
    assert hits[0].item.id == item.id
    assert hits[0].word_rank is None and hits[0].vector_rank == 0


async def test_common_words_still_rank_recent_matches(store: PostgresMemory, dsn: str) -> None:
    # every word common (>= COMMON_TERM matches) takes the bounded "most recent" path
    texts = [f"coffee note number {i}" for i in range(510)]
    async with await psycopg.AsyncConnection.connect(dsn) as conn:
        async with conn.cursor() as cur:
            await cur.executemany("INSERT INTO os1_memories (user_id, kind, text, created_at)"
                                  " VALUES (%s, 'utterance', %s, 1)", [(store.user, t) for t in texts])
    hits = await store.search("coffee", k=5, vector=(await store.embed(["unrelated"]))[0])
    assert len(hits) == 5 and all(h.word_rank is not None for h in hits)


async def test_search_brings_neighbouring_turns_and_skips_ubiquitous_words(store: PostgresMemory) -> None:
    session = await store.start_session()
    for n in range(55):
        await store.add_utterance(session, "user", f"Rosa: small talk number {n}")
    asked = await store.add_utterance(session, "assistant", "what did you do at the weekend?")
    told = await store.add_utterance(session, "user", "Rosa: I went to a pottery class")
    async with store.backend.transaction() as tx:
        assert await store.recall._ubiquitous(tx, ["rosa", "pottery"]) == ["rosa"]
    hits = await store.search("Rosa pottery", k=5)
    assert hits[0].item.id == told.id
    assert asked.id in [h.item.id for h in hits]  # the turn before, though it matches nothing


async def test_dates_in_the_query_favour_memories_from_then(store: PostgresMemory) -> None:
    may = datetime(2023, 5, 10).timestamp()
    august = datetime(2023, 8, 10).timestamp()
    in_may = await store.add_utterance(None, "user", "we went hiking", created_at=may)
    await store.add_utterance(None, "user", "we went hiking", created_at=august)
    now = datetime(2024, 1, 1).timestamp()
    assert (await store.search("hiking in May 2023", now=now))[0].item.id == in_may.id
    assert (await store.search("hiking", now=now))[0].item.id != in_may.id


async def test_search_excludes_and_filters_kinds(store: PostgresMemory) -> None:
    a = await store.add_utterance(None, "user", "I love the cello")
    await store.add_facts([FactDraft("The user loves the cello.", "user", "love", "the cello")], a.id)
    hits = await store.search("cello", kinds=["fact"], exclude=[a.id])
    assert [h.item.kind for h in hits] == ["fact"]


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


async def test_repeated_fact_is_stored_once(store: PostgresMemory) -> None:
    draft = FactDraft("The user lives in Porto.", "user", "lives_in", "Porto")
    first = await store.add_facts([draft], None, exclusive=is_exclusive)
    again = await store.add_facts([draft], None, exclusive=is_exclusive)
    assert len(first) == 1 and again == []


async def test_new_value_supersedes_exclusive_fact(store: PostgresMemory) -> None:
    old = FactDraft("The user lives in Porto.", "user", "lives_in", "Porto")
    new = FactDraft("The user lives in Berlin.", "user", "lives_in", "Berlin")
    [porto] = await store.add_facts([old], None, exclusive=is_exclusive)
    await store.add_facts([new], None, exclusive=is_exclusive)
    kept = await store.get(porto.id)
    assert kept is not None and kept.valid_to is not None  # kept in history, no longer current
    hits = await store.search("where does the user live", kinds=["fact"])
    assert [h.item.object for h in hits] == ["Berlin"]
    both = await store.search("where does the user live", kinds=["fact"], include_superseded=True)
    assert {h.item.object for h in both} == {"Porto", "Berlin"}
    history = (await store.related(porto.id))["history"]
    assert [m.object for m in history] == ["Porto", "Berlin"]


async def test_concurrent_writers_leave_one_current_value(dsn: str) -> None:
    user = new_user()
    one, two = [await PostgresMemory.open(dsn, user, FakeEmbedder()) for _ in range(2)]
    drafts = [FactDraft(f"The user lives in {c}.", "user", "lives_in", c) for c in ("Oslo", "Rome")]
    await asyncio.gather(one.add_facts([drafts[0]], None, exclusive=is_exclusive),
                         two.add_facts([drafts[1]], None, exclusive=is_exclusive))
    facts = await one.list_memories(kind="fact")
    assert len(facts) == 2 and sum(f.valid_to is None for f in facts) == 1
    await one.close()
    await two.close()


async def test_profile_round_trip(store: PostgresMemory) -> None:
    await store.set_profile({"user_name": "Theo", "voice": "warm"})
    await store.set_profile({"voice": "calm"})
    assert await store.profile() == {"user_name": "Theo", "voice": "calm"}


async def test_export_lists_everything_oldest_first(store: PostgresMemory) -> None:
    session = await store.start_session()
    said = await store.add_utterance(session, "user", "I play chess on Sundays")
    await store.add_facts([FactDraft("The user plays chess.", "user", "plays", "chess")], said.id)
    rows = await store.export()
    assert [(r["kind"], r["session_id"], r["source_id"]) for r in rows] == [
        ("utterance", session, None), ("fact", None, said.id)]
    assert await store.count() == {"utterance": 1, "fact": 1}


async def test_pages_status_edit_and_lookup(store: PostgresMemory) -> None:
    ids = [(await store.add_utterance(None, "user", f"line {i}", created_at=1000.0 + i)).id
           for i in range(5)]
    assert [m.id for m in await store.list_memories(limit=2, offset=1)] == [ids[3], ids[2]]
    assert [m.id for m in await store.recent_utterances(2, before_id=ids[4])] == [ids[2], ids[3]]
    interrupted = await store.add_utterance(None, "assistant", "half a thought", status="interrupted")
    assert (await store.get(ids[0])) == (await store.list_memories(newest_first=False))[0]
    assert (await store.get(interrupted.id)) is not None
    assert (await store.list_memories(limit=1))[0].status == "interrupted"
    edited = await store.edit(ids[1], "the walrus sang")
    assert edited is not None and (await store.search("walrus"))[0].item.id == ids[1]
    assert await store.find_utterance("line 2", 1002.0) == ids[2]
    assert await store.find_utterance("line 2", 1005.0) is None
    await store.add_utterance(None, "assistant", "replies are not mined for facts")
    assert [m.id for m in await store.unlearned()] == ids
    await store.mark_learned(ids[0])
    assert [m.id for m in await store.unlearned(limit=2)] == ids[1:3]


async def test_deferred_vectors_are_filled_in_later(store: PostgresMemory) -> None:
    item = await store.add_utterance(None, "assistant", "the lighthouse keeper waved", defer_vector=True)
    assert [h.vector_rank for h in await store.search("lighthouse keeper")] == [None]
    assert await store.embed_missing() == 1
    assert await store.embed_missing() == 0
    hits = await store.search("lighthouse keeper")
    assert hits[0].item.id == item.id and hits[0].vector_rank == 0


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
    assert [f.object for f in facts] == ["Lisbon"]
    await store.close()


async def test_session_summaries_rebuild_on_forget(store: PostgresMemory, dsn: str) -> None:
    session = await store.start_session()
    await store.add_utterance(session, "user", "I planted basil on the balcony")
    said = await store.add_utterance(session, "user", "My neighbour Quillfeather grows basil too")
    assert await store.summarize() == 1 and await store.summarize(session) == 0
    (summary,) = await store.summaries()
    assert summary.turns == 2 and "Quillfeather" in summary.text
    await store.forget(said.id)
    (summary,) = await store.summaries()
    assert summary.turns == 1 and "Quillfeather" not in summary.text
    other = await PostgresMemory.open(dsn, new_user(), FakeEmbedder())
    try:
        assert await other.summaries() == [] and await other.summarize() == 0  # scoped to one user
    finally:
        await other.close()


class RenamedEmbedder(FakeEmbedder):
    """Another model: the same vectors under a different id, as after an embedder upgrade."""

    model_id = "fake-hash-64-v2"


async def test_opening_with_another_embedder_re_embeds(dsn: str) -> None:
    user = new_user()
    store = await PostgresMemory.open(dsn, user, FakeEmbedder())
    for text in ["my sister Ana lives in Lisbon", "I had pasta for dinner"]:
        await store.add_utterance(None, "user", text)
    await store.close()
    store = await PostgresMemory.open(dsn, user, RenamedEmbedder())
    models = "SELECT string_agg(DISTINCT model, ',') || ' ' || count(*) FROM os1_vectors WHERE user_id = %s"
    assert await scalar(dsn, models, (user,)) == "fake-hash-64-v2 2"
    hits = await store.search("sister Lisbon", k=1)
    assert hits[0].item.text == "my sister Ana lives in Lisbon" and hits[0].vector_rank == 0
    await store.close()


LONG = ("We spent the whole weekend at the lake with my cousins and their two noisy dogs."
        " I play the violin.")


async def test_a_vector_of_text_edited_meanwhile_is_not_stored(store: PostgresMemory) -> None:
    item = await store.add_utterance(None, "assistant", "the lighthouse keeper waved", defer_vector=True)
    waiting = await store.learning._waiting("embedded", 10)  # read by the background step
    await store.edit(item.id, "the ferry captain shouted")  # then edited, with its new vector
    await store.learning._put_vectors(waiting, await embed_rows(store.embedder, waiting))
    hits = await store.search("zzz", vector=(await store.embed(["the ferry captain shouted"]))[0], k=1)
    assert hits[0].item.id == item.id and hits[0].score > 0.99  # the new text's vector stands


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


async def test_a_sentence_inside_a_long_memory_is_found_by_its_own_vector(store: PostgresMemory,
                                                                          dsn: str) -> None:
    long = await store.add_utterance(None, "user", LONG)
    other = await store.add_utterance(None, "user", "I play the piano sometimes at the weekend.")
    query = (await store.embed(["I play the violin"]))[0]
    before = await store.search("zzz", vector=query, k=2)  # no word matches: vectors alone
    assert before[0].item.id == other.id  # the whole long memory's vector is diluted
    await store.embed_missing()  # the background step embeds its sentences
    pieces = "SELECT count(*) FROM os1_piece_vectors WHERE user_id = %s AND memory_id = %s"
    assert await scalar(dsn, pieces, (store.user, long.id)) == 2
    after = await store.search("zzz", vector=query, k=2)
    assert after[0].item.id == long.id
    await store.edit(long.id, "I play the cello. We spent the weekend at the lake with the dogs.")
    assert await scalar(dsn, pieces, (store.user, long.id)) == 0
    await store.embed_missing()  # the new text's pieces
    assert await scalar(dsn, pieces, (store.user, long.id)) == 2
    assert await store.forget(long.id)
    assert await scalar(dsn, "SELECT count(*) FROM os1_piece_vectors WHERE user_id = %s", (store.user,)) == 0
