"""The lexicon: verbs written once as lemmas, matched in every form, and the general mechanisms
built on it (a shared "we", ended values, trades known by their nouns, values named by a noun)."""

from __future__ import annotations

import re

import pytest

from os1.memory.extract import extract_rules
from os1.memory.fact_lexicon import ATTRIBUTE_VERBS, forms, verb_pattern
from os1.memory.fact_rules import is_job


@pytest.mark.parametrize(("lemma", "expected"), [
    ("relocate", ("relocate", "relocates", "relocated", "relocating")),
    ("study", ("study", "studies", "studied", "studying")),
    ("switch", ("switch", "switches", "switched", "switching")),
    ("stop", ("stop", "stops", "stopped", "stopping")),
    ("join", ("join", "joins", "joined", "joining")),
    ("play", ("play", "plays", "played", "playing")),
    ("teach", ("teach", "teaches", "taught", "teaching")),
])
def test_a_verb_has_every_form(lemma: str, expected: tuple[str, ...]) -> None:
    assert forms(lemma) == expected


@pytest.mark.parametrize(("attribute", "phrase"), [
    ("lives_in", "relocated to"), ("lives_in", "'ve been living in"), ("lives_in", "are settling in"),
    ("lives_in", "has emigrated to"), ("works_at", "joined"), ("works_at", "am employed by"),
    ("works_at", "works weekends at"), ("works_at", "have landed a new job at"),
    ("works_as", "trained as"), ("from", "was born and raised in"), ("studies", "is majoring in"),
    ("studies", "am doing a PhD in"), ("learning", "have been learning"),
])
def test_every_inflection_of_a_synonym_states_its_attribute(attribute: str, phrase: str) -> None:
    assert re.match(rf"(?:{verb_pattern(attribute)}) Xanadu", f"{phrase} Xanadu")


def test_no_other_attribute_claims_a_phrase_first() -> None:
    # the statement parser tries attributes in order: an earlier one must not take a later one's
    for attribute in ATTRIBUTE_VERBS:
        earlier = list(ATTRIBUTE_VERBS)[:list(ATTRIBUTE_VERBS).index(attribute)]
        for lemmas, _ in ATTRIBUTE_VERBS[attribute]:
            said = f"{forms(lemmas.split('|')[0])[2]} "
            assert not any(re.fullmatch(verb_pattern(e), said.strip()) for e in earlier), said


def facts(text: str) -> set[tuple[str, str, str, bool]]:
    return {(f.subject, f.predicate, f.object, f.closes) for f in extract_rules(text)}


@pytest.mark.parametrize(("said", "fact"), [
    ("We've relocated to Hobart.", ("user", "lives_in", "Hobart", False)),
    ("My wife and I are settling in Kyoto.", ("user", "lives_in", "Kyoto", False)),
    ("I work weekends at the garden centre.", ("user", "works_at", "the garden centre", False)),
    ("I left the BBC and joined Channel 4.", ("user", "works_at", "Channel 4", False)),
    ("I'm a glassblower by trade.", ("user", "works_as", "glassblower", False)),
    ("My aunt is a locksmith.", ("user's aunt", "works_as", "locksmith", False)),
    ("I'm thirty-seven.", ("user", "age", "thirty-seven", False)),
    ("My employer is the Met Office.", ("user", "works_at", "the Met Office", False)),
    ("We renamed the hamster Nibbles.", ("user's hamster", "name", "Nibbles", False)),
    ("My stepdaughter Zara teaches maths at a school.", ("user's stepdaughter", "teaches", "maths", False)),
    ("I quit Aldi.", ("user", "works_at", "Aldi", True)),
    ("We moved out of Hull.", ("user", "lives_in", "Hull", True)),
    ("I don't work at Ikea anymore.", ("user", "works_at", "Ikea", True)),
    ("My brother doesn't live in Kent any more.", ("user's brother", "lives_in", "Kent", True)),
    ("I'm not pescatarian anymore.", ("user", "diet", "pescatarian", True)),
])
def test_general_mechanisms_read_unseen_phrasings(said: str, fact: tuple[str, str, str, bool]) -> None:
    assert fact in facts(said)


@pytest.mark.parametrize("said", [
    "We work at the same place.",  # "we" speaks for the user's home only
    "I'm a huge fan.", "I'm a runner.", "I'm a big reader.", "My brother is a retired teacher.",
    "I'm an introvert.", "I don't work at Ikea.", "I will move to Rome.",
    "My job is driving me mad.", "I'm a people person.", "I'm a good listener.",
    "I'm a light sleeper.", "I'm a smoker.", "I'm an immigrant.", "I'm a family man.",
    "I'm a picky eater.", "I'm a fast learner.", "I'm a Londoner.",
])
def test_general_mechanisms_invent_nothing(said: str) -> None:
    assert not [f for f in extract_rules(said) if not f.closes]


def test_leaving_a_town_for_a_while_ends_no_home() -> None:
    assert all(f.predicate != "lives_in" for f in extract_rules("I left London yesterday."))


def test_a_trade_is_an_agent_noun_that_is_no_relative_or_pastime() -> None:
    assert is_job("welder") and is_job("driving instructor") and is_job("nurse")
    assert not is_job("brother") and not is_job("optimist") and not is_job("huge fan")


@pytest.mark.parametrize(("said", "fact", "days"), [
    ("I've been pescatarian for twelve years.", ("user", "diet", "pescatarian", False), 0.0),
    ("I've been married since 2015.", ("user", "relationship", "married", False), 0.0),
    ("I drink gallons of green tea.", ("user", "drink", "green tea", False), 0.0),
    ("We relocated to Perth last summer.", ("user", "lives_in", "Perth", False), 180.0),
    ("I joined Oxfam seven weeks ago.", ("user", "works_at", "Oxfam", False), 49.0),
])
def test_a_state_held_for_a_while_and_its_time_in_words(
        said: str, fact: tuple[str, str, str, bool], days: float) -> None:
    [found] = [f for f in extract_rules(said) if (f.subject, f.predicate, f.object, f.closes) == fact]
    assert found.since == days * 86400.0
