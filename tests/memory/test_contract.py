"""The store's contract, run on both backends (``open_store`` in conftest.py): what every caller
may rely on, whichever database holds the memory. PostgreSQL cases start a real server."""

from __future__ import annotations

import asyncio
from datetime import datetime

from os1.memory.backends.base import Select
from os1.memory.base import FactDraft, Pieces, Vectors
from os1.memory.embedding.passes import embed_rows
from os1.memory.extract import is_exclusive
from os1.memory.moments import ImageDraft, MomentDraft
from os1.memory.store.memory import Memory
from os1.testing import FakeEmbedder
from tests.memory.conftest import Opener

LONG = ("We spent the whole weekend at the lake with my cousins and their two noisy dogs."
        " I play the violin.")


async def test_search_finds_by_words_and_ranks_relevant_first(memory: Memory) -> None:
    for text in ["the weather is grey today", "my sister Ana lives in Lisbon",
                 "I had pasta for dinner", "work was long and boring"]:
        await memory.add_utterance(None, "user", text)
    hits = await memory.search("where does my sister live?", k=3)
    assert hits[0].item.text == "my sister Ana lives in Lisbon"
    assert hits[0].word_rank == 0 and hits[0].vector_rank is not None


async def test_search_finds_by_vector_alone(memory: Memory) -> None:
    item = await memory.add_utterance(None, "user", "the zeppelin landed in the garden")
    await memory.add_utterance(None, "user", "taxes are due in April")
    [vector] = await memory.embed(["zeppelin landed garden"])
    hits = await memory.search("nothing shared here", vector=vector)
    assert hits[0].item.id == item.id
    assert hits[0].word_rank is None and hits[0].vector_rank == 0


async def test_a_turn_carries_its_vectors_into_recall(memory: Memory) -> None:
    session = await memory.start_session()
    kept = await memory.add_utterance(session, "user", "the zeppelin landed in the garden")
    turn = await memory.add_turn(session, f"{LONG} Did the zeppelin land in the garden?")
    assert turn.item.role == "user" and turn.pieces is not None and len(turn.pieces) == 3
    assert await memory.get(turn.item.id) == turn.item
    hits = await memory.search("zzz", turn=turn, exclude=[turn.item.id])
    assert hits[0].item.id == kept.id and hits[0].word_rank is None  # by the turn's vector
    assert [m.id for m in await memory.unlearned()] == [kept.id, turn.item.id]


async def test_search_brings_neighbouring_turns_and_skips_ubiquitous_words(memory: Memory) -> None:
    session = await memory.start_session()
    for n in range(55):
        await memory.add_utterance(session, "user", f"Rosa: small talk number {n}")
    asked = await memory.add_utterance(session, "assistant", "what did you do at the weekend?")
    told = await memory.add_utterance(session, "user", "Rosa: I went to a pottery class")
    words = ["rosa", "pottery"]
    async with memory.backend.transaction() as tx:
        size, counts = await tx.vector_count(), await tx.term_counts(words, 500)
        assert size == 57 and counts == {"rosa": 56, "pottery": 1}
        assert await memory.recall._ubiquitous(tx, words, size, counts) == ["rosa"]
    hits = await memory.search("Rosa pottery", k=5)
    assert hits[0].item.id == told.id
    assert asked.id in [h.item.id for h in hits]  # the turn before, though it matches nothing


async def test_dates_in_the_query_favour_memories_from_then(memory: Memory) -> None:
    may = datetime(2023, 5, 10).timestamp()
    august = datetime(2023, 8, 10).timestamp()
    in_may = await memory.add_utterance(None, "user", "we went hiking", created_at=may)
    await memory.add_utterance(None, "user", "we went hiking", created_at=august)
    now = datetime(2024, 1, 1).timestamp()
    assert (await memory.search("hiking in May 2023", now=now))[0].item.id == in_may.id
    assert (await memory.search("hiking", now=now))[0].item.id != in_may.id


async def test_the_person_a_query_names_favours_their_turns(memory: Memory) -> None:
    await memory.set_profile({"user_name": "Anna", "os_name": "Sam"})
    mine = await memory.add_utterance(None, "user", "I love the sea in winter")
    await memory.add_utterance(None, "assistant", "I love the sea in winter")
    assert (await memory.search("What does Anna love?", k=1))[0].item.id == mine.id


async def test_search_excludes_and_filters_kinds(memory: Memory) -> None:
    a = await memory.add_utterance(None, "user", "I love the cello")
    await memory.add_facts([FactDraft("The user loves the cello.", "user", "love", "the cello")], a.id)
    hits = await memory.search("cello", kinds=["fact"], exclude=[a.id])
    assert [h.item.kind for h in hits] == ["fact"]


async def test_forget_deletes_the_memory_and_derived_facts(memory: Memory) -> None:
    said = await memory.add_utterance(None, "user", "my brother Tom works at the bakery")
    [fact] = await memory.add_facts(
        [FactDraft("The user's brother Tom works at the bakery.", "user's brother Tom", "works_at",
                   "the bakery")], said.id)
    assert await memory.forget(said.id)
    assert await memory.get(said.id) is None and await memory.get(fact.id) is None
    assert await memory.search("bakery") == []
    [vector] = await memory.embed(["brother Tom works at the bakery"])
    assert await memory.search("zzz", vector=vector) == []  # no vector left behind
    assert not await memory.forget(said.id)


async def test_repeated_fact_is_stored_once(memory: Memory) -> None:
    draft = FactDraft("The user lives in Porto.", "user", "lives_in", "Porto")
    first = await memory.add_facts([draft], None, exclusive=is_exclusive)
    again = await memory.add_facts([draft], None, exclusive=is_exclusive)
    assert len(first) == 1 and again == []


async def test_new_value_supersedes_exclusive_fact(memory: Memory) -> None:
    old = FactDraft("The user lives in Porto.", "user", "lives_in", "Porto")
    new = FactDraft("The user lives in Berlin.", "user", "lives_in", "Berlin")
    [porto] = await memory.add_facts([old], None, exclusive=is_exclusive)
    await memory.add_facts([new], None, exclusive=is_exclusive)
    kept = await memory.get(porto.id)
    assert kept is not None and kept.valid_to is not None  # kept in history, no longer current
    hits = await memory.search("where does the user live", kinds=["fact"])
    assert [h.item.object for h in hits] == ["Berlin"]
    both = await memory.search("where does the user live", kinds=["fact"], include_superseded=True)
    assert {h.item.object for h in both} == {"Porto", "Berlin"}
    history = (await memory.related(porto.id))["history"]
    assert [m.object for m in history] == ["Porto", "Berlin"]


async def test_a_fact_that_becomes_true_again_is_current_again(memory: Memory) -> None:
    lisbon = FactDraft("The user lives in Lisbon.", "user", "lives_in", "Lisbon")
    berlin = FactDraft("The user lives in Berlin.", "user", "lives_in", "Berlin")
    for draft in (lisbon, berlin, lisbon):
        await memory.add_facts([draft], None, exclusive=is_exclusive)
    current = [f.object for f in await memory.list_memories(kind="fact") if f.valid_to is None]
    assert current == ["Lisbon"]


async def test_a_person_named_after_their_introduction_is_that_person(memory: Memory) -> None:
    introduced = [FactDraft("The user's sister is called Ana.", "user's sister", "name", "Ana"),
                  FactDraft("The user's sister lives in Lisbon.", "user's sister", "lives_in", "Lisbon")]
    [_, lisbon] = await memory.add_facts(introduced, None, exclusive=is_exclusive, at=1000.0)
    [porto] = await memory.add_facts([FactDraft("Ana lives in Porto.", "Ana", "lives_in", "Porto",
                                                since=100.0)], None, exclusive=is_exclusive, at=5000.0)
    assert (porto.subject, porto.text) == ("user's sister", "The user's sister lives in Porto.")
    assert porto.created_at == 4900.0  # dated when it became true, not when it was said
    old = await memory.get(lisbon.id)
    assert old is not None and old.valid_to == 4900.0


async def test_a_fact_that_ends_a_subject_closes_its_facts(memory: Memory) -> None:
    jess = [FactDraft("The user's girlfriend is called Jess.", "user's girlfriend", "name", "Jess"),
            FactDraft("The user's girlfriend lives in Bath.", "user's girlfriend", "lives_in", "Bath")]
    await memory.add_facts(jess, None, exclusive=is_exclusive)
    await memory.add_facts([FactDraft("The user is single.", "user", "relationship", "single",
                                      ends=("user's girlfriend",))], None, exclusive=is_exclusive)
    current = {f.object for f in await memory.list_memories(kind="fact") if f.valid_to is None}
    assert current == {"single"}


async def test_an_ended_value_is_closed_by_subject_and_value_whatever_its_attribute(
        memory: Memory) -> None:
    known = [FactDraft("The user works at Tesco.", "user", "works_at", "Tesco"),
             FactDraft("The user lives in Leeds.", "user", "lives_in", "Leeds"),
             FactDraft("The user's sister works at Tesco.", "user's sister", "works_at", "Tesco"),
             FactDraft("The user is vegan.", "user", "diet", "vegan")]
    await memory.add_facts(known, None, exclusive=is_exclusive, at=1000.0)
    ended = [FactDraft("", "user", "", "tesco", closes=True, since=100.0),  # Tesco, any attribute
             FactDraft("", "user", "diet", "", closes=True)]  # "I eat meat again"
    assert await memory.add_facts(ended, None, exclusive=is_exclusive, at=5000.0) == []
    facts = {(f.subject, f.object): f.valid_to for f in await memory.list_memories(kind="fact")}
    assert facts == {("user", "Tesco"): 4900.0, ("user", "Leeds"): None,
                     ("user's sister", "Tesco"): None, ("user", "vegan"): 5000.0}


async def test_two_writers_at_once_leave_one_current_value(open_store: Opener) -> None:
    one, two = await open_store(), await open_store()  # one user's memory, opened twice
    drafts = [FactDraft(f"The user lives in {c}.", "user", "lives_in", c) for c in ("Oslo", "Rome")]
    await asyncio.gather(one.add_facts([drafts[0]], None, exclusive=is_exclusive),
                         two.add_facts([drafts[1]], None, exclusive=is_exclusive))
    facts = await one.list_memories(kind="fact")
    assert len(facts) == 2 and sum(f.valid_to is None for f in facts) == 1


async def test_history_and_sources_of_a_fact(memory: Memory) -> None:
    said = await memory.add_utterance(None, "user", "I moved to Berlin")
    [fact] = await memory.add_facts([FactDraft("The user lives in Berlin.", "user", "lives_in",
                                               "Berlin")], said.id, exclusive=is_exclusive)
    assert [m.id for m in (await memory.related(fact.id))["source"]] == [said.id]
    assert [m.id for m in (await memory.related(said.id))["derived"]] == [fact.id]


async def test_profile_round_trip(memory: Memory) -> None:
    await memory.set_profile({"user_name": "Theo", "voice": "warm"})
    await memory.set_profile({"voice": "calm"})
    assert await memory.profile() == {"user_name": "Theo", "voice": "calm"}


async def test_export_lists_everything_oldest_first(memory: Memory) -> None:
    session = await memory.start_session()
    said = await memory.add_utterance(session, "user", "I play chess on Sundays")
    await memory.add_facts([FactDraft("The user plays chess.", "user", "plays", "chess")], said.id)
    rows = await memory.export()
    assert [(r["kind"], r["session_id"], r["source_id"]) for r in rows] == [
        ("utterance", session, None), ("fact", None, said.id)]
    assert await memory.count() == {"utterance": 1, "fact": 1}


async def test_pages_status_edit_and_lookup(memory: Memory) -> None:
    ids = [(await memory.add_utterance(None, "user", f"line {i}", created_at=1000.0 + i)).id
           for i in range(5)]
    assert [m.id for m in await memory.list_memories(limit=2, offset=1)] == [ids[3], ids[2]]
    assert [m.id for m in await memory.recent_utterances(2, before_id=ids[4])] == [ids[2], ids[3]]
    interrupted = await memory.add_utterance(None, "assistant", "half a thought", status="interrupted")
    assert (await memory.get(ids[0])) == (await memory.list_memories(newest_first=False))[0]
    assert (await memory.get(interrupted.id)) == interrupted
    assert (await memory.list_memories(limit=1))[0].status == "interrupted"
    edited = await memory.edit(ids[1], "the walrus sang")
    assert edited is not None and (await memory.search("walrus"))[0].item.id == ids[1]
    assert await memory.edit(10**9, "nobody") is None
    assert await memory.find_utterance("line 2", 1002.0) == ids[2]
    assert await memory.find_utterance("line 2", 1005.0) is None
    await memory.add_utterance(None, "assistant", "replies are not mined for facts")
    assert [m.id for m in await memory.unlearned()] == ids
    await memory.mark_learned(ids[0])
    assert [m.id for m in await memory.unlearned(limit=2)] == ids[1:3]


async def test_markup_and_odd_text_round_trip(memory: Memory) -> None:
    text = "I [really] like [/] brackets and [bold]tags[/bold] \\ and 'quotes\" -- ; DROP TABLE x"
    item = await memory.add_utterance(None, "user", text)
    assert (await memory.get(item.id)) == item
    assert (await memory.search("brackets tags"))[0].item.text == text


async def test_deferred_vectors_are_filled_in_later(memory: Memory) -> None:
    item = await memory.add_utterance(None, "assistant", "the lighthouse keeper waved", defer_vector=True)
    assert [h.vector_rank for h in await memory.search("lighthouse keeper")] == [None]
    assert await memory.embed_missing() == 1
    assert await memory.embed_missing() == 0
    hits = await memory.search("lighthouse keeper")
    assert hits[0].item.id == item.id and hits[0].vector_rank == 0


class CountingEmbedder(FakeEmbedder):
    """Counts the texts it is given to embed with their pieces."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def embed_pieces(self, texts: list[str], pieces: list[Pieces]) -> list[Vectors]:
        self.texts += texts
        return super().embed_pieces(texts, pieces)


async def test_two_background_steps_at_once_embed_each_memory_once(open_store: Opener) -> None:
    counting = CountingEmbedder()
    memory = await open_store(embedder=counting)
    for n in range(30):
        await memory.add_utterance(None, "assistant", f"Reply {n} about the lake. We swam far out.",
                                   defer_vector=True)
    first, second = await asyncio.gather(memory.embed_missing(batch=4), memory.embed_missing(batch=4))
    assert sorted((first, second)) == [0, 30] and len(counting.texts) == 30  # whole and pieces: one pass
    [vector] = await memory.embed(["We swam far out"])
    assert (await memory.search("zzz", vector=vector, k=1))[0].score > 0.99  # a sentence's own vector


class ReadingEmbedder(FakeEmbedder):
    """Keeps each text it embeds with where its own words begin and end."""

    def __init__(self) -> None:
        self.read: list[tuple[str, int, int]] = []

    def embed_pieces(self, texts: list[str], pieces: list[Pieces]) -> list[Vectors]:
        self.read += [(text, where.context, where.end or len(text))
                      for text, where in zip(texts, pieces, strict=True)]
        return super().embed_pieces(texts, pieces)


async def test_a_turn_is_embedded_with_the_turns_before_it_in_view(open_store: Opener) -> None:
    reading = ReadingEmbedder()
    memory = await open_store(embedder=reading)
    session = await memory.start_session()
    said = ["I took up pottery last month.", "That sounds amazing!", "How long have you done it?"]
    for n, text in enumerate(said):
        await memory.add_utterance(session, ("user", "assistant")[n % 2], text, defer_vector=True)
    await memory.embed_missing()
    assert {text for text, _, _ in reading.read} == {" ".join(said)}  # one window, read once
    seen = {text[a:b]: (text[:a], text[b:]) for text, a, b in reading.read}
    assert seen[said[0]] == ("", f" {said[1]} {said[2]}")  # the session's first turn
    assert seen[said[2]] == (f"{said[0]} {said[1]} ", "")  # read, not pooled
    [own] = await memory.embed([said[2]])
    assert (await memory.search("zzz", vector=own, k=1))[0].score > 0.99  # own words' vector


async def test_a_turn_that_refers_back_is_found_by_what_it_refers_to(open_store: Opener) -> None:
    memory = await open_store()
    session = await memory.start_session()
    said = ["I signed up for a pottery class.", "How long have you wanted to do it?", "Since May."]
    turns = [await memory.add_utterance(session, ("user", "assistant")[n % 2], text, defer_vector=True)
             for n, text in enumerate(said)]
    await memory.embed_missing()
    found = {h.item.id: h for h in await memory.search("pottery", k=3)}
    assert found[turns[1].id].word_rank is not None  # by its gloss
    assert found[turns[1].id].item.text == said[1]  # which is not its text
    assert found.get(turns[2].id) is None or found[turns[2].id].word_rank is None  # no pronoun
    await memory.forget(turns[0].id)  # the gloss was drawn from its words: it goes too
    assert all(h.word_rank is None for h in await memory.search("pottery", k=3))


class RenamedEmbedder(FakeEmbedder):
    """Another model: the same vectors under a different id, as after an embedder upgrade."""

    model_id = "fake-hash-64-v2"


async def test_opening_with_another_embedder_re_embeds(open_store: Opener) -> None:
    memory = await open_store()
    for text in ["my sister Ana lives in Lisbon", "I had pasta for dinner", f"{LONG} Ana too."]:
        await memory.add_utterance(None, "user", text)
    await memory.add_utterance(None, "assistant", "noted", defer_vector=True)
    await memory.embed_missing()
    await memory.close()
    counting = CountingEmbedder()
    counting.model_id = RenamedEmbedder.model_id
    memory = await open_store(embedder=counting)
    assert sorted(counting.texts) == sorted(["my sister Ana lives in Lisbon", "I had pasta for dinner",
                                             f"{LONG} Ana too.", "noted"])
    hits = await memory.search("sister Lisbon", k=1)
    assert hits[0].item.text == "my sister Ana lives in Lisbon" and hits[0].vector_rank == 0
    assert await memory.embed_missing() == 0


async def test_a_vector_of_text_edited_meanwhile_is_not_stored(memory: Memory) -> None:
    item = await memory.add_utterance(None, "assistant", "the lighthouse keeper waved", defer_vector=True)
    waiting = await memory.learning._waiting("embedded", 10)  # read by the background step
    await memory.edit(item.id, "the ferry captain shouted")  # then edited, with its new vector
    await memory.learning._put_vectors(waiting, await embed_rows(memory.embedder, waiting))
    hits = await memory.search("zzz", vector=(await memory.embed(["the ferry captain shouted"]))[0], k=1)
    assert hits[0].item.id == item.id and hits[0].score > 0.99  # the new text's vector stands


async def test_a_sentence_inside_a_long_memory_is_found_by_its_own_vector(memory: Memory) -> None:
    long = await memory.add_utterance(None, "user", LONG)
    other = await memory.add_utterance(None, "user", "I play the piano sometimes at the weekend.")
    query = (await memory.embed(["I play the violin"]))[0]
    before = await memory.search("zzz", vector=query, k=2)  # no word matches: vectors alone
    assert before[0].item.id == other.id  # the whole long memory's vector is diluted
    await memory.embed_missing()  # the background step embeds its sentences
    assert (await memory.search("zzz", vector=query, k=2))[0].item.id == long.id
    await memory.edit(long.id, "I play the cello. We spent the weekend at the lake with the dogs.")
    assert (await memory.search("zzz", vector=query, k=2))[0].item.id == other.id  # old pieces gone
    await memory.embed_missing()  # the new text's pieces
    cello = (await memory.embed(["I play the cello"]))[0]
    assert (await memory.search("zzz", vector=cello, k=1))[0].score > 0.99
    assert await memory.forget(long.id)
    assert [h.item.id for h in await memory.search("zzz", vector=cello)] == [other.id]


async def test_a_backfill_goes_a_bounded_share_at_a_time(memory: Memory) -> None:
    for n in range(10):
        await memory.add_utterance(None, "user", f"{LONG} Number {n} of them.", defer_vector=True)
    assert await memory.embed_missing(batch=4, pieces_at_most=4) == 10  # whole and pieces together
    for n in range(10, 20):  # pieces still owed, as after an upgrade: a bounded share per step
        await memory.add_utterance(None, "user", f"{LONG} Number {n} of them.",
                                   vector=(await memory.embed(["x"]))[0])
    assert await memory.embed_missing(batch=4, pieces_at_most=4) == 0
    async with memory.backend.transaction() as tx:
        assert len(await tx.pending("pieced", 100)) == 6


async def test_summaries_follow_the_session_and_rebuild_on_forget_and_edit(memory: Memory) -> None:
    session = await memory.start_session()
    said = [await memory.add_utterance(session, "user", f"We talked about sailing boats, part {n}.")
            for n in range(3)]
    assert await memory.summarize() == 1 and await memory.summarize() == 0  # only when stale
    [summary] = await memory.summaries()
    assert summary.session_id == session and summary.turns == 3 and "sailing" in summary.text
    await memory.edit(said[0].id, "We talked about the moon landing instead.")
    assert "moon landing" in (await memory.summaries())[0].text
    assert await memory.forget(said[0].id)
    [summary] = await memory.summaries()
    assert summary.turns == 2 and "moon" not in summary.text
    for item in said[1:]:
        await memory.forget(item.id)
    assert await memory.summaries() == []  # a session with no turns left has no summary


async def test_moments_keep_their_images_once_and_forget_them(memory: Memory) -> None:
    image = ImageDraft("h" * 64, "image/png", b"\x89PNG tiny", {"colours": ["blue"]})
    draft = MomentDraft("photo", "photo:boat", "A photo of a blue boat, shared by the user.",
                        {"title": "boat"}, (image,))
    moment, new = await memory.add_moment(draft)
    again, new_again = await memory.add_moment(MomentDraft(
        "photo", "photo:boat", "ignored: same key", {}, (ImageDraft("i" * 64, "image/png", b"two"),)))
    assert new and not new_again and again.id == moment.id
    assert again.images == ("h" * 64, "i" * 64) and again.seen == ({"colours": ["blue"]}, {})
    assert again.data == {"title": "boat"} and again.item.provenance == "shared"
    assert [m.id for m in await memory.moments("photo")] == [moment.id]
    assert [m.id for m in await memory.moments(key="photo:boat")] == [moment.id]
    assert await memory.moments("song") == [] and await memory.moment(moment.id) == again
    assert await memory.image("h" * 64) == ("image/png", b"\x89PNG tiny")
    assert (await memory.search("blue boat", k=1))[0].item.id == moment.id
    assert await memory.forget(moment.id)
    assert await memory.moment(moment.id) is None and await memory.image("h" * 64) is None


async def test_forgetting_a_piece_deletes_its_files(memory: Memory) -> None:
    folder = memory.files_dir
    assert folder is not None
    folder.mkdir(parents=True, exist_ok=True)
    midi, shared = folder / "boat.mid", folder / "both.wav"
    for path in (midi, shared):
        path.write_bytes(b"sound")
    piece, _ = await memory.add_moment(MomentDraft("piece", "piece:boat", "A piece about the boat.",
                                                   {"midi": str(midi), "wav": str(shared)}, (),
                                                   provenance="assistant"))
    await memory.add_moment(MomentDraft("piece", "piece:sea", "A piece about the sea.",
                                        {"wav": str(shared)}, (), provenance="assistant"))
    assert await memory.forget(piece.id)
    assert not midi.exists() and shared.exists()  # another piece still names the shared file


async def test_selecting_no_ids_selects_nothing(memory: Memory) -> None:
    await memory.add_utterance(None, "user", "one memory")
    async with memory.backend.transaction() as tx:
        assert await tx.select(Select(ids=[])) == []


async def test_a_private_saying_is_private_with_its_facts_and_still_recalled(memory: Memory) -> None:
    said = await memory.add_utterance(None, "user", "my sister Ana is pregnant")
    other = await memory.add_utterance(None, "user", "I had pasta for dinner")
    [fact, sibling] = await memory.add_facts(
        [FactDraft("Ana is pregnant.", "user's sister Ana", "is", "pregnant"),
         FactDraft("The user has a sister, Ana.", "user's sister", "name", "Ana")], said.id)
    changed = await memory.keep_private([fact.id])  # a fact marks its sentence and its siblings
    assert sorted(m.id for m in changed) == sorted([said.id, fact.id, sibling.id])
    assert all(m.private for m in changed) and not (await memory.get(other.id)).private  # type: ignore[union-attr]
    [later] = await memory.add_facts([FactDraft("Ana expects in May.", "user's sister Ana",
                                                "expects", "May")], said.id)
    assert later.private  # drawn from a private sentence
    hits = await memory.search("is my sister pregnant?", k=3)
    assert hits[0].item.id in {said.id, fact.id} and hits[0].item.private  # the user's own recall
    assert not any(m.private for m in await memory.keep_private([said.id], private=False))
    assert await memory.keep_private([10**9]) == []


async def test_private_travels_through_export_and_import(open_store: Opener) -> None:
    from os1.memory.portability import export_lines, import_export

    first = await open_store("first")
    said = await first.add_utterance(None, "user", "my sister Ana is pregnant")
    await first.add_utterance(None, "user", "I had pasta for dinner")
    await first.add_facts([FactDraft("Ana is pregnant.", "user's sister Ana", "is", "pregnant")],
                          said.id)
    await first.keep_private([said.id])
    header, *items = await export_lines(first, "default")
    assert [line["private"] for line in items] == [True, False, True]
    second = await open_store("second")
    assert await import_export(second, header, items) == 3
    kept = {m.text: m.private for m in await second.list_memories()}
    assert kept == {"my sister Ana is pregnant": True, "I had pasta for dinner": False,
                    "Ana is pregnant.": True}


async def test_a_reply_restated_as_it_streams_is_embedded_as_it_ended(memory: Memory) -> None:
    session = await memory.start_session()
    reply = await memory.add_utterance(session, "assistant", "The zeppelin", status="interrupted",
                                       defer_vector=True)
    assert await memory.embed_missing() == 1  # a background step meanwhile embeds the first words
    await memory.restate(reply.id, "The zeppelin landed in the garden. It was red.",
                         status="complete", provenance="external")
    item = await memory.get(reply.id)
    assert item is not None and (item.text, item.status, item.provenance) == (
        "The zeppelin landed in the garden. It was red.", "complete", "external")
    assert await memory.embed_missing() == 1  # owed again, for the words it ended with
    [vector] = await memory.embed(["zeppelin landed garden red"])
    hits = await memory.search("nothing shared here", vector=vector)
    assert hits[0].item.id == reply.id
    assert [h.item.id for h in await memory.search("garden")] == [reply.id]  # the word index too


async def test_forgetting_a_turn_has_its_neighbours_read_again_without_it(open_store: Opener) -> None:
    reading = ReadingEmbedder()
    memory = await open_store(embedder=reading)
    session = await memory.start_session()
    said = ["We walked to the lake.", "My brother Tom lied to me about the money.", "It was cold.",
            "Then we went home."]
    turns = [await memory.add_utterance(session, ("user", "assistant")[n % 2], text, defer_vector=True)
             for n, text in enumerate(said)]
    await memory.embed_missing()
    assert any(said[1] in text for text, _, _ in reading.read)
    reading.read.clear()
    assert await memory.forget(turns[1].id)
    [lake] = await memory.embed([said[0]])
    near = await memory.search("zzz", vector=lake, k=4)
    assert all(h.item.id != turns[0].id for h in near)  # its old vector is gone
    assert await memory.embed_missing() == 3  # the three turns read beside it, read again
    assert reading.read and not any("Tom" in text for text, _, _ in reading.read)
    assert (await memory.search("zzz", vector=lake, k=1))[0].item.id == turns[0].id  # found again
    reading.read.clear()
    await memory.edit(turns[2].id, "It was warm.")  # an edit: the old words leave its neighbours too
    assert await memory.embed_missing() == 2
    assert reading.read and not any("cold" in text for text, _, _ in reading.read)


async def test_words_said_live_are_read_again_in_their_session(open_store: Opener) -> None:
    memory = await open_store()
    session = await memory.start_session()
    await memory.add_utterance(session, "assistant", "I signed up for a pottery class.", defer_vector=True)
    turn = await memory.add_turn(session, "How long have you wanted to do it?")
    found = await memory.search("wanted", vector=turn.vector, k=2)
    assert found and found[0].item.id == turn.item.id  # searchable at once, by its own vector
    assert await memory.embed_missing() == 2  # read again with the turn before it in view
    hits = {h.item.id: h for h in await memory.search("pottery", k=2)}
    assert hits[turn.item.id].word_rank is not None  # and glossed: found by what "it" is
    assert await memory.embed_missing() == 0
