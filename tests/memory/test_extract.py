"""Rule-based and LLM fact extraction."""

from __future__ import annotations

import json

import pytest

from os1.memory.extract import extract_llm, extract_rules, is_exclusive
from os1.testing import ScriptedLLM


@pytest.mark.parametrize(
    ("said", "subject", "predicate", "obj"),
    [
        ("Hi, my sister Ana lives in Lisbon.", "user's sister Ana", "lives_in", "Lisbon"),
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


@pytest.mark.parametrize("said", ["", "How are you?", "What do you think about Lisbon?", "ok"])
def test_rules_find_nothing_in_small_talk(said: str) -> None:
    assert extract_rules(said) == []


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
