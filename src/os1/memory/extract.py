"""Fact extraction from what the user says.

Two extractors with one output type (``FactDraft``): a rule-based one for plain first-person
English, which works with any model (including the tiny bundled one) and costs microseconds, and
an LLM one that asks the model for JSON matching a schema, for models that can follow it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace

from os1.llm.base import ChatModel, complete
from os1.memory.base import FactDraft
from os1.memory.fact_clauses import Clause, clauses
from os1.memory.fact_rules import (
    PARTNERS,
    PEOPLE_RULES,
    SPOUSES,
    USER_RULES,
    changes,
    draft,
    endings,
    relation,
)
from os1.types import Message, Options

EXCLUSIVE = {"name", "lives_in", "works_at", "works_as", "age", "birthday", "diet", "drink",
             "relationship"}


def extract_rules(text: str) -> list[FactDraft]:
    """Facts stated in plain English, clause by clause: what the user says of themselves and of
    the people in their life. Questions, hypotheticals, negations and one-off remarks give none
    (``fact_clauses``)."""
    found: dict[tuple[str, str, str, bool], FactDraft] = {}
    for clause in clauses(text):
        for fact in _clause_facts(clause):
            if clause.ended:  # "I don't live in Bath anymore": what it names ends
                fact = replace(fact, closes=True, ends=())
            found.setdefault((fact.subject, fact.predicate, fact.object.lower(), fact.closes), fact)
    return list(found.values())


def _clause_facts(clause: Clause) -> Iterator[FactDraft]:
    yield from changes(clause.text, clause.since)
    yield from endings(clause.text, clause.since)
    taken: list[tuple[int, int]] = []
    for pattern, build in (*PEOPLE_RULES, *USER_RULES):
        for m in pattern.finditer(clause.text):
            if any(a <= m.start() < b or m.start() <= a < m.end() for a, b in taken):
                continue  # an earlier, more specific rule already read this span
            made = [d for s, p, v in build(m) if (d := draft(s, p, v, clause.since)) is not None]
            if made:
                taken.append(m.span())
                yield from made


FACT_SCHEMA = {
    "type": "object",
    "properties": {
        "facts": {
            "type": "array",
            "maxItems": 6,
            "items": {
                "type": "object",
                "properties": {
                    "subject": {"type": "string"},
                    "predicate": {"type": "string"},
                    "object": {"type": "string"},
                    "text": {"type": "string"},
                    "ended": {"type": "boolean"},
                },
                "required": ["subject", "predicate", "object", "text"],
            },
        }
    },
    "required": ["facts"],
}

EXTRACT_PROMPT = (
    "Extract lasting facts about the user and the people and pets in their life from the user's"
    " message. Only what the user states as true now: nothing from questions, wishes, plans,"
    " hypotheticals ('if', 'would', 'maybe'), negations ('not', 'never') or one-off remarks about"
    " today or tonight. Subject: 'user', or 'user's <relation>' (user's sister, user's cat), or"
    " a person's name when the message names them without their relation. Predicate, one of:"
    " name, age, lives_in, from, works_at (the employer), works_as (the role), studies, learning,"
    " plays, speaks, teaches, allergic_to, diet, drink, relationship (single, married, engaged,"
    " divorced), like, love, hate, has, birthday, favorite_<thing>. Object: the value alone, no"
    " time words ('Berlin', not 'Berlin last month'). Text: a short third-person sentence. A"
    " change ('we broke up', 'I'm a coffee person now') is the new value. A value that ended"
    " without a new one ('I quit Tesco', 'I'm not vegan anymore') is the old value with"
    " ended true (subject, and the object alone). Reply with JSON only;"
    " an empty list if nothing."
)
_SUBJECT = re.compile(r"^(?:the )?(?:user|i|me|myself)$")
_RELATED = re.compile(r"^(?:the user's|user's|my|the)\s+(?P<rel>.+)$")
_PREDICATES = {"lives": "lives_in", "location": "lives_in", "city": "lives_in", "home": "lives_in",
               "job": "works_as", "occupation": "works_as", "profession": "works_as", "role": "works_as",
               "employer": "works_at", "company": "works_at", "workplace": "works_at",
               "likes": "like", "loves": "love", "hates": "hate", "is_from": "from",
               "hometown": "from", "allergy": "allergic_to", "allergies": "allergic_to",
               "relationship_status": "relationship", "pet_name": "name", "called": "name"}


async def extract_llm(model: ChatModel, text: str) -> list[FactDraft]:
    """Ask the model for facts as schema-constrained JSON; malformed output yields nothing, and
    a message that only asks, supposes or denies is not sent at all (``fact_clauses``)."""
    if not any(True for _ in clauses(text)):
        return []
    messages = [Message("system", EXTRACT_PROMPT), Message("user", text)]
    raw, _ = await complete(model, messages,
                            options=Options(max_tokens=400, temperature=0.0, json_schema=FACT_SCHEMA))
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        return []
    facts = data.get("facts") if isinstance(data, dict) else None
    drafts: list[FactDraft] = []
    for fact in facts if isinstance(facts, list) else []:
        if not isinstance(fact, dict):
            continue
        parts = [str(fact.get(key, "")).strip()[:200] for key in ("subject", "predicate", "object", "text")]
        if all(parts):
            draft = _model_draft(*parts)
            drafts.append(replace(draft, closes=True, ends=()) if fact.get("ended") is True else draft)
    return drafts


def _model_draft(subject: str, predicate: str, value: str, text: str) -> FactDraft:
    """A model's fact in the rule path's terms: its subject, attribute and value normalised,
    and a breakup ending the partner's facts, as the rules do."""
    subject = " ".join(subject.split())
    if _SUBJECT.match(subject.lower()):
        subject = "user"
    elif related := _RELATED.match(subject.lower()):
        subject = f"user's {relation(related['rel'])}"
    predicate = re.sub(r"\W+", "_", predicate.strip().lower()).replace("favourite", "favorite")
    predicate = _PREDICATES.get(predicate, predicate)
    value = value.strip().rstrip(".")
    ends: tuple[str, ...] = ()
    if subject == "user" and predicate == "relationship" and value.lower() in ("single", "divorced"):
        ends = tuple(f"user's {p}" for p in (*PARTNERS, *(SPOUSES if value.lower() == "divorced" else ())))
    return FactDraft(text, subject, predicate, value, "inferred", ends=ends)


def is_exclusive(predicate: str) -> bool:
    """Predicates with one value at a time: a new value supersedes the old."""
    return predicate in EXCLUSIVE or predicate.startswith("favorite_")
