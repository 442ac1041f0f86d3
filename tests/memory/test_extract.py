"""Rule-based and LLM fact extraction."""

from __future__ import annotations

import json

import pytest

from os1.memory.extract import extract_llm, extract_rules, is_exclusive
from os1.testing import ScriptedLLM


@pytest.mark.parametrize(
    ("said", "subject", "predicate", "obj"),
    [
        ("Hi, my sister Ana lives in Lisbon.", "user's sister", "lives_in", "Lisbon"),
        ("Hi, my sister Ana lives in Lisbon.", "user's sister", "name", "Ana"),
        ("I'm Noor, I'm 27.", "user", "age", "27"),
        ("I'm Noor, I'm 27.", "user", "name", "Noor"),
        ("I'm allergic to shellfish", "user", "allergic_to", "shellfish"),
        ("I'm vegan.", "user", "diet", "vegan"),
        ("Radiohead are my favourite band", "user", "favorite_band", "Radiohead"),
        ("I play the drums", "user", "plays", "the drums"),
        ("I moved to Berlin last month.", "user", "lives_in", "Berlin"),
        ("I'm a morning person through and through.", "user", "is_a", "morning person"),
        ("My best friend is called Tomas's", "user's best friend", "name", "Tomas"),
        ("I'm a nurse at St Mary's.", "user", "works_as", "nurse"),
        ("I'm a nurse at St Mary's.", "user", "works_at", "St Mary's"),
        ("The cat is Mochi now.", "user's cat", "name", "Mochi"),
        ("I'm a coffee person now.", "user", "drink", "coffee"),
        ("Ana's officially moved to Porto.", "Ana", "lives_in", "Porto"),
        ("My name is Theodore Twombly", "user", "name", "Theodore Twombly"),
        ("I live in Los Angeles, and it's fine.", "user", "lives_in", "Los Angeles"),
        ("I work as a letter writer", "user", "works_as", "letter writer"),
        ("I really love old video games", "user", "love", "old video games"),
        ("My favorite band is Arcade Fire.", "user", "favorite_band", "Arcade Fire"),
        ("my dog is called Rex", "user's dog", "name", "Rex"),
        ("I'm 42 years old", "user", "age", "42"),
    ],
)
def test_rules_find_first_person_facts(said: str, subject: str, predicate: str, obj: str) -> None:
    facts = extract_rules(said)
    assert (subject, predicate, obj) in {(f.subject, f.predicate, f.object) for f in facts}
    assert all(f.provenance == "user" for f in facts)


@pytest.mark.parametrize("said", [
    "", "How are you?", "What do you think about Lisbon?", "ok",
    "Do I have a cat at the moment?",  # a question
    "If I lived in Paris, I'd be happy.", "I'm thinking about moving to Berlin.",  # hypotheticals
    "I don't live in Rome.", "I'm not a morning person.",  # negations
    "My girlfriend Jess is cooking tonight.", "My nephew is clearly a genius.",  # one-off remarks
])
def test_rules_find_nothing_lasting(said: str) -> None:
    assert extract_rules(said) == []


def test_the_time_a_fact_began_is_its_date_not_its_words() -> None:
    [fact] = extract_rules("I moved to Berlin last month.")
    assert fact.object == "Berlin" and fact.since == 30 * 86400


def test_a_breakup_ends_the_partners_facts() -> None:
    [fact] = extract_rules("We broke up.")
    assert (fact.predicate, fact.object) == ("relationship", "single")
    assert "user's girlfriend" in fact.ends


def test_rules_survive_hostile_input() -> None:
    assert isinstance(extract_rules("my " * 50_000 + "\x00\ud800"), list)


def test_exclusive_predicates() -> None:
    assert is_exclusive("lives_in") and is_exclusive("favorite_food")
    assert not is_exclusive("love")


async def test_llm_extraction_reads_schema_json() -> None:
    reply = {"facts": [{"subject": "User", "predicate": "plays", "object": "cello",
                        "text": "The user plays the cello."}]}
    model = ScriptedLLM(json.dumps(reply))
    [fact] = await extract_llm(model, "I play the cello")
    assert (fact.subject, fact.predicate, fact.provenance) == ("user", "plays", "inferred")
    options = model.history[0][2]
    assert options is not None and options.json_schema is not None  # constrained generation


@pytest.mark.parametrize("garbage", ["not json", "[1, 2]", '{"facts": "x"}', '{"facts": [{"a": 1}]}'])
async def test_llm_extraction_ignores_garbage(garbage: str) -> None:
    assert await extract_llm(ScriptedLLM(garbage), "I play the cello") == []


async def test_llm_extraction_is_not_asked_about_a_question() -> None:
    model = ScriptedLLM('{"facts": []}')
    assert await extract_llm(model, "Do I have a cat at the moment?") == []
    assert model.history == []


async def test_llm_facts_are_read_in_the_rules_terms() -> None:
    reply = {"facts": [{"subject": "my sister", "predicate": "location", "object": "Porto.",
                        "text": "The user's sister lives in Porto."},
                       {"subject": "the user", "predicate": "relationship_status", "object": "single",
                        "text": "The user is single."}]}
    sister, single = await extract_llm(ScriptedLLM(json.dumps(reply)), "Ana moved to Porto; we broke up")
    assert (sister.subject, sister.predicate, sister.object) == ("user's sister", "lives_in", "Porto")
    assert single.predicate == "relationship" and "user's girlfriend" in single.ends


async def test_llm_ended_values_close_rather_than_state() -> None:
    reply = {"facts": [{"subject": "user", "predicate": "employer", "object": "Tesco",
                        "text": "The user no longer works at Tesco.", "ended": True}]}
    [ended] = await extract_llm(ScriptedLLM(json.dumps(reply)), "I don't work at Tesco anymore")
    assert (ended.subject, ended.predicate, ended.object, ended.closes) == ("user", "works_at", "Tesco", True)
