"""The journal over the real SQLite store: rules on a small model, JSON on a capable one, never
a quotation of outside content, and the companion writing it in its background step."""

from __future__ import annotations

import json
import time

from os1.agent.companion import Companion, TurnSettings
from os1.agent.persona import Persona
from os1.inner.journal import Journal
from os1.inner.life import InnerLife
from os1.inner.noticing import rule_entry
from os1.memory.base import FactDraft
from os1.memory.sqlite import SQLiteMemory
from os1.memory.store.memory import Memory
from os1.testing import ScriptedLLM
from tests.memory import conftest as backends

MAIL = "The landlord writes that the rent will rise to nine hundred euros from April onwards."

open_store, memory = backends.open_store, backends.memory  # on both backends


async def conversation(store: SQLiteMemory, *turns: tuple[str, str, str | None], at: float = 1000.0) -> int:
    session = await store.start_session()
    for i, (role, text, provenance) in enumerate(turns):
        await store.add_utterance(session, role, text, created_at=at + i, provenance=provenance)  # type: ignore[arg-type]
    return session


async def test_rules_write_what_was_noticed_and_what_to_ask(store: SQLiteMemory) -> None:
    first = await conversation(store, ("user", "I have a job interview at the museum tomorrow.", None),
                               ("assistant", "Good luck! Tell me how it goes.", None),
                               ("user", "The museum is small but the museum archive is famous.", None))
    await store.add_facts([], None)
    current = await conversation(store, ("user", "hello again", None), at=5000.0)
    journal = Journal(store, mood="calm, because nothing much has happened yet")
    written = await journal.write_pending(current, now=6000.0)
    assert [m.data["session_id"] for m in written] == [first]  # the current one is still going on
    (entry,) = written
    assert entry.kind == "journal" and entry.item.provenance == "inferred" and entry.data["how"] == "rules"
    assert "Next time I want to ask how it went: you have a job interview" in entry.item.text
    assert "museum" in entry.item.text.split("I am curious")[0].lower()
    assert set(entry.data) == {"session_id", "sources", "how", "day"}  # the words are the text alone
    theirs = {m.id for m in await store.recent_utterances(10) if m.session_id == first}
    assert set(entry.data["sources"]) >= theirs
    again = await Journal(store).write_pending(current, now=6000.0)
    assert again == []  # one entry per conversation


async def test_outside_content_is_never_quoted_whichever_way_it_is_written(store: SQLiteMemory) -> None:
    # the user repeats the mail word for word; os1's reply that read it is outside content
    turns = (("user", f"Read my mail please. {MAIL} I will call him tomorrow about it.", None),
             ("assistant", f"Your landlord says: {MAIL}", "external"))
    session = await conversation(store, *turns)
    said = await store.recent_utterances(10)
    unchecked = rule_entry(session, [t for t in said if t.provenance == "user"], []).text()
    assert "nine hundred euros from April" in unchecked  # what the rules alone would have written
    ruled = await Journal(store).write(session, said)
    model = ScriptedLLM(json.dumps({"noticed": [f"that {MAIL}", "that rent worries you"],
                                    "curious": ["how the call goes"],
                                    "ask_next": ["whether the call went well"]}))
    other = await conversation(store, *turns, at=9000.0)
    said = [m for m in await store.recent_utterances(10) if m.session_id == other]
    written = await Journal(store, model).write(other, said)
    assert written.data["how"] == "model" and "I noticed that rent worries you." in written.item.text
    (messages, _, options) = model.history[0]
    assert options is not None and options.json_schema is not None
    assert "Your landlord says" not in messages[1].content  # the reply that read the mail is not shown
    for entry in (ruled, written):
        assert "nine hundred euros from April" not in entry.item.text, entry.item.text


async def test_what_the_user_keeps_private_is_never_journaled(memory: Memory) -> None:
    """On both backends, by the rules and by a model: the private turn and its facts are not read."""
    session = await memory.start_session()
    secret = await memory.add_utterance(session, "user", "My sister Ana is pregnant with twins.",
                                        created_at=1000.0)
    await memory.add_facts([FactDraft("Ana is pregnant.", "user's sister Ana", "is", "pregnant")],
                           secret.id)
    await memory.keep_private([secret.id])
    await memory.add_utterance(session, "user", "I have a job interview at the museum tomorrow.",
                               created_at=1001.0)
    said = await memory.recent_utterances(10)
    model = ScriptedLLM(json.dumps({"noticed": ["that the interview matters"], "curious": [],
                                    "ask_next": ["how the interview went"]}))
    for journal in (Journal(memory), Journal(memory, model)):
        entry = await journal.write(session, said)
        text = entry.item.text.lower()
        assert "museum" in text or "interview" in text
        assert "pregnant" not in text and "twins" not in text and "ana" not in text, text
        assert secret.id not in entry.data["sources"]
    (messages, _, _) = model.history[0]
    assert "museum" in messages[1].content and "twins" not in messages[1].content


async def test_an_entry_drawn_from_a_memory_made_private_later_is_written_again(store: SQLiteMemory) -> None:
    session = await conversation(store, ("user", "My sister Ana is pregnant with twins.", None),
                                 ("user", "I have a job interview at the museum tomorrow.", None))
    journal = Journal(store)
    [first] = await journal.write_pending(now=9000.0)
    assert "Ana" in first.item.text
    secret = next(m for m in await store.recent_utterances(5) if "twins" in m.text)
    await store.keep_private([secret.id])
    [again] = await journal.write_pending(now=9000.0)
    assert again.data["session_id"] == session and await journal.entries() == [again]  # the old one gone
    assert "Ana" not in again.item.text and "museum" in again.item.text
    assert await journal.write_pending(now=9000.0) == []  # once


async def test_a_model_that_fails_leaves_it_to_the_rules(store: SQLiteMemory) -> None:
    session = await conversation(store, ("user", "We are going to Porto next week.", None))
    said = await store.recent_utterances(5)
    entry = await Journal(store, ScriptedLLM("not json at all")).write(session, said)
    assert entry.data["how"] == "rules" and "Porto" in entry.item.text


async def test_edit_and_forget_an_entry_like_any_memory(store: SQLiteMemory) -> None:
    session = await conversation(store, ("user", "I love the sea in winter.", None))
    journal = Journal(store)
    entry = await journal.write(session, await store.recent_utterances(5))
    edited = await journal.edit(entry.id, "I noticed the sea matters to them.")
    assert edited.text.startswith("I noticed the sea")
    await journal.forget(entry.id)
    assert await journal.entries() == [] and await store.get(entry.id) is None


async def test_the_companion_journals_and_moves_its_mood_in_the_background(store: SQLiteMemory) -> None:
    model = ScriptedLLM(default="I'm glad.")
    persona = Persona.from_profile({"user_name": "Theo"})
    inner = InnerLife(store, clock=lambda: time.time() + 3600)  # an hour after each turn
    first = Companion(model, store, persona, TurnSettings(), inner=inner)
    async for _ in first.respond("I'm going to Lisbon tomorrow for a concert."):
        pass
    await first.drain()
    assert await (await inner.journal()).entries() == []  # the conversation is still going on
    assert await Journal(store).write_pending() == []  # and a conversation a moment ago, too
    second = Companion(model, store, persona, TurnSettings(), inner=inner)
    async for _ in second.respond("Thank you so much, that helped."):
        pass
    await second.drain()
    (entry,) = await (await inner.journal()).entries()
    assert entry.data["session_id"] == first.session_id
    assert (await inner.mood()).cause == "you thanked me"
    assert "you thanked me" in second.persona.system_prompt()
