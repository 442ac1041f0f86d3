"""Keeping something between the user and os1, asked in plain words in the chat: read by code,
the memory marked private with its facts, and still recalled in the user's own conversation."""

from __future__ import annotations

from os1.agent.companion import Companion, TurnSettings
from os1.agent.events import TurnDone, TurnEvent
from os1.agent.keeping import private_ask
from os1.agent.persona import Persona
from os1.memory.store.memory import Memory
from os1.testing import ScriptedLLM
from os1.types import TextDelta
from tests.memory import conftest as backends

open_store, memory = backends.open_store, backends.memory  # on both backends


def make(store: Memory, model: ScriptedLLM) -> Companion:
    persona = Persona.from_profile({"user_name": "Theo", "os_name": "Samantha"})
    return Companion(model, store, persona, TurnSettings())


async def turn(companion: Companion, text: str) -> list[TurnEvent]:
    events = [e async for e in companion.respond(text)]
    await companion.drain()
    return events


def test_the_ask_is_read_in_plain_words_and_only_as_a_clause_of_its_own() -> None:
    for alone in ("Keep that between us.", "that's private", "Please keep it to yourself, ok?",
                  "Don't tell anyone!", "This is just between us"):
        assert private_ask(alone) == private_ask("keep this private") and private_ask(alone), alone
    for within in ("My sister Ana is pregnant, keep that between us.",
                   "Between you and me, I am thinking of quitting."):
        ask = private_ask(within)
        assert ask is not None and not ask.alone, within
    for none in ("I keep this plant in the garden.", "It's private property over there.",
                 "The party is private.", "Keep it up!"):
        assert private_ask(none) is None, none


async def test_keep_that_between_us_marks_what_was_just_said(memory: Memory) -> None:
    model = ScriptedLLM("Congratulations to her!", "Pasta sounds good.")
    companion = make(memory, model)
    await turn(companion, "My sister Ana is pregnant with twins.")
    await turn(companion, "I had pasta for dinner.")
    events = await turn(companion, "Oh, and keep that between us.")
    said = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert said == "I'll keep that between us." and len(model.history) == 2  # by code, no model
    kept = {m.text: m.private for m in await memory.list_memories(limit=20)}
    assert kept["I had pasta for dinner."] and kept["Oh, and keep that between us."]
    assert not kept["My sister Ana is pregnant with twins."]  # only what was said just before
    assert kept["Pasta sounds good."] and not kept["Congratulations to her!"]


async def test_said_with_the_ask_it_is_private_with_its_facts_and_still_recalled(memory: Memory) -> None:
    model = ScriptedLLM("I will, and congratulations!", "Your sister is expecting, you told me.")
    companion = make(memory, model)
    events = await turn(companion, "My sister Ana is pregnant, keep that between us.")
    done = events[-1]
    assert isinstance(done, TurnDone) and done.reply_id is not None
    said = await memory.get(done.user_id)
    assert said is not None and said.private and (await memory.get(done.reply_id)).private  # type: ignore[union-attr]
    facts = (await memory.related(said.id))["derived"]
    assert facts and all(f.private for f in facts)  # drawn after the reply, from a private sentence
    await turn(companion, "Who is expecting in my family?")
    prompt = " ".join(m.content for m in model.history[-1][0])
    assert "Ana is pregnant" in prompt  # the user's own conversation still holds it
