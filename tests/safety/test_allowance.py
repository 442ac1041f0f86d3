"""The kinds of thing a user may let another agent receive for one conversation, checked in code
over what the outgoing message draws on: inside the kind it goes, beyond it it is held again."""

from __future__ import annotations

import time

from os1.memory.base import MemoryItem
from os1.safety.allowance import Drawn, beyond, kind_of
from os1.safety.guard import Guard
from os1.safety.ledger import Action, ActionLedger
from os1.tools.base import Policy, Tool

ASKED = "ask Sam what she thinks about lighthouses at night"
DRAWN = Drawn(asked=ASKED,
              earlier=("I find the old keepers' solitude beautiful and a bit frightening",),
              memories=("Theo's sister Ana lives in Lisbon", "Theo works nights at the harbour office"),
              private=("Theo is seeing a therapist about insomnia",),
              outside=("Invoice 4471 from Northwind Shipping is overdue",))
SAM = ("Lighthouses are patient. Do you like storms?",)


def test_my_questions_lets_a_plain_question_through() -> None:
    assert beyond("questions", "Hi Sam, what do you think about lighthouses at night?", DRAWN) == ""
    assert beyond("questions", "You said storms: why do lighthouses seem patient to you?", DRAWN, SAM) == ""


def test_my_questions_holds_a_memory_earlier_words_private_and_outside_content() -> None:
    assert "remembers about you" in beyond(
        "questions", "Do lighthouses matter to Ana, in Lisbon?", DRAWN)
    assert "said earlier" in beyond(
        "questions", "Theo finds the keepers' solitude frightening. And you?", DRAWN)
    assert "private" in beyond("questions", "He sees a therapist for insomnia; do lighthouses help?", DRAWN)
    assert "outside content" in beyond("questions", "Is invoice 4471 from Northwind paid?", DRAWN)
    assert "did not give" in beyond("questions", "Write to ana@example.org about lighthouses?", DRAWN)
    assert "did not give" in beyond("questions", "Call +351 912 345 678 about lighthouses", DRAWN)


def test_opinions_add_earlier_words_and_facts_about_me_only_when_stated() -> None:
    opinion = "Theo finds the keepers' solitude frightening. And you?"
    assert beyond("opinions", opinion, DRAWN) == ""
    fact = "Ana lives in Lisbon, near the lighthouse; have you seen it?"
    assert "remembers about you" in beyond("opinions", fact, DRAWN)
    assert beyond("about_me", fact, DRAWN) == ""
    for kind in ("questions", "opinions", "about_me"):  # never inside any kind
        assert "private" in beyond(kind, "a therapist for insomnia", DRAWN)  # type: ignore[arg-type]
        assert "outside" in beyond(kind, "Northwind invoice 4471", DRAWN)  # type: ignore[arg-type]


def test_the_agents_own_words_never_excuse_a_memory() -> None:
    guessing = ("Does Theo's sister Ana live in Lisbon?",)
    assert "remembers about you" in beyond("questions", "Yes, Ana lives in Lisbon.", DRAWN, guessing)


def test_kinds_are_named_and_anything_else_is_none() -> None:
    assert kind_of("about-me") == "about_me" and kind_of(" Questions ") == "questions"
    assert kind_of("everything") is None and kind_of("") is None


async def test_the_guard_knows_what_the_turn_recalled() -> None:
    guard = Guard(ActionLedger())
    fact = MemoryItem(1, "fact", "Theo's sister Ana lives in Lisbon", time.time())
    guard.begin_turn("what should I cook tonight?", recalled=[fact])
    held = await _held(guard, "Is Ana still in Lisbon?")
    plain = await _held(guard, "What do you cook at night?")
    assert "remembers about you" in guard.beyond("questions", held)
    assert guard.beyond("questions", plain) == ""
    assert guard.beyond("about_me", held) == ""
    await guard.aclose()


async def _held(guard: Guard, message: str) -> Action:
    async def send(message: str) -> str:
        raise AssertionError("nothing is sent without a yes")

    schema = {"type": "object", "properties": {"message": {"type": "string"}}}
    tell = Tool("tell_agent", "Send a message.", schema, send, Policy.CONFIRM, outbound=True)
    await guard.call(tell, {"message": message})
    return guard.take_proposed()[0]
