"""Forgetting a thing, not a row: what says a fact, and a fact worded for the user."""

from __future__ import annotations

import pytest

from os1.memory.base import MemoryItem
from os1.memory.extract import extract_rules, is_exclusive
from os1.memory.sayings import for_person, says
from os1.memory.sqlite import SQLiteMemory


@pytest.mark.parametrize(("stored", "shown"), [
    ("The user's sister Ana lives in Lisbon.", "Your sister Ana lives in Lisbon."),
    ("The user likes tea.", "You like tea."),
    ("The user is learning Greek.", "You are learning Greek."),
    ("The user has a dog.", "You have a dog."),
    ("The user watches birds.", "You watch birds."),
    ("The user studies law.", "You study law."),
    ("Ana plays the cello.", "Ana plays the cello."),
])
def test_a_fact_is_worded_for_the_person(stored: str, shown: str) -> None:
    assert for_person(stored) == shown


def test_says_needs_the_value_and_the_person_it_is_about() -> None:
    fact = MemoryItem(1, "fact", "The user's sister Ana lives in Lisbon.", 0.0,
                      subject="user's sister Ana", predicate="lives_in", object="Lisbon")

    def line(text: str) -> MemoryItem:
        return MemoryItem(2, "utterance", text, 0.0, role="assistant")

    assert says(fact, line("How lovely that Ana is in Lisbon!"))
    assert not says(fact, line("Lisbon has trams."))  # the city, but not who lives there
    assert not says(fact, line("Ana called today."))
    assert not says(fact, fact)


async def test_forgetting_a_fact_offers_and_takes_everything_that_says_it(store: SQLiteMemory) -> None:
    said = await store.add_utterance(None, "user", "My sister Ana lives in Lisbon.")
    facts = await store.add_facts(extract_rules(said.text), said.id, exclusive=is_exclusive)
    fact = next(f for f in facts if "Lisbon" in f.text)  # the others: her name, from the same words
    reply = await store.add_utterance(None, "assistant", "Ana in Lisbon, by the sea: lovely.")
    other = await store.add_utterance(None, "user", "I drink tea in Lisbon every spring.")
    found = await store.saying(fact.id)
    assert found[0].id == fact.id and found[1].id == said.id
    assert {i.id for i in found} == {f.id for f in facts} | {said.id, reply.id}
    assert other.id not in {i.id for i in found}
    assert await store.forget_all([i.id for i in found]) == len(facts) + 2
    left = [h.item.id for h in await store.search("Ana Lisbon", k=10, include_superseded=True)]
    assert left == [other.id]
    assert await store.saying(fact.id) == []
