"""Fact extraction from what the user says.

Two extractors with one output type (``FactDraft``): a rule-based one for plain first-person
English, which works with any model (including the tiny bundled one) and costs microseconds, and
an LLM one that asks the model for JSON matching a schema, for models that can follow it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from os1.llm.base import ChatModel, complete
from os1.memory.base import FactDraft
from os1.types import Message, Options

RELATIONS = (
    "best friend|friend|sister|brother|mother|mom|mum|father|dad|wife|husband|partner|boyfriend|"
    "girlfriend|son|daughter|boss|cousin|aunt|uncle|grandmother|grandma|grandfather|grandpa|niece|"
    "nephew|dog|cat|roommate|colleague|coworker|neighbor|neighbour|therapist|ex-wife|ex-husband|ex"
)
VERBS = (
    "lives in|lives at|lives near|moved to|works at|works as|works for|is from|studies|likes|loves|"
    "hates|plays|teaches|is called|is named|is"
)
EXCLUSIVE = {"name", "lives_in", "works_at", "works_as", "age", "birthday"}
_END = r"(?=[,;]| and | but | because | so |$)"
_NAME = r"(?P<name>[A-Z][a-zA-Z'-]+)"

PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\bmy (?P<rel>{RELATIONS})(?:'s name| name)? (?:is (?:called|named) )?"
                rf"{_NAME}\b(?: (?P<verb>{VERBS}) (?P<obj>.+?){_END})?"), "relation_named"),
    (re.compile(rf"\bmy (?P<rel>{RELATIONS})'s name is {_NAME}"), "relation_name"),
    (re.compile(rf"\bmy (?P<rel>{RELATIONS}) (?P<verb>{VERBS}) (?P<obj>.+?){_END}", re.I),
     "relation"),
    (re.compile(r"\bmy name is (?P<obj>[A-Z][\w'-]+(?: [A-Z][\w'-]+)?)"), "name"),
    (re.compile(r"\b(?:call me|people call me) (?P<obj>[A-Z][\w'-]+)"), "name"),
    (re.compile(rf"\bI(?: now| currently)? (?:live|am living|'m living) in (?P<obj>.+?){_END}"),
     "lives_in"),
    (re.compile(rf"\bI(?: just)? moved to (?P<obj>.+?){_END}"), "lives_in"),
    (re.compile(rf"\bI(?:'m| am) from (?P<obj>.+?){_END}"), "from"),
    (re.compile(rf"\bI work (?:as (?:an? )?)(?P<obj>.+?){_END}"), "works_as"),
    (re.compile(rf"\bI work (?:at|for) (?P<obj>.+?){_END}"), "works_at"),
    (re.compile(r"\bI(?:'m| am) (?P<obj>\d{1,3}) years old"), "age"),
    (re.compile(rf"\bmy birthday is (?:on )?(?P<obj>.+?){_END}"), "birthday"),
    (re.compile(rf"\bmy favou?rite (?P<what>[\w ]{{2,30}}?) is (?P<obj>.+?){_END}"), "favorite"),
    (re.compile(rf"\bI (?:really |truly )?(?P<verb>like|love|enjoy|hate|dislike|adore) "
                rf"(?P<obj>.+?){_END}"), "feels"),
    (re.compile(rf"\bI(?:'m| am) (?:learning|studying) (?P<obj>.+?){_END}"), "learning"),
    (re.compile(rf"\bI have (?P<obj>(?:a|an|two|three|\d+) .+?){_END}"), "has"),
    (re.compile(rf"\bI(?:'m| am) (?:a|an) (?P<obj>[\w -]{{3,40}}?){_END}"), "is_a"),
]


def _sentences(text: str) -> Iterator[str]:
    """Sentences with casing the patterns expect: "my" lower-case, "I" upper-case."""
    for part in re.split(r"(?<=[.!?])\s+|\n+", text):
        if part := part.strip().rstrip(".!?"):
            part = re.sub(r"\bMy\b", "my", part)
            yield re.sub(r"\bi(?=\b|')", "I", part)


def _clean(obj: str) -> str:
    return obj.strip().strip("\"'").rstrip(".!?,;: ")


def _draft(kind: str, m: re.Match[str]) -> FactDraft | None:
    g = m.groupdict()
    obj = _clean(g.get("obj") or "")
    if kind in {"relation_named", "relation_name", "relation"}:
        rel = g["rel"].lower()
        name = g.get("name")
        subject = f"user's {rel}" + (f" {name}" if name else "")
        if g.get("verb") and obj:
            verb = g["verb"].lower()
            predicate = verb.replace(" ", "_").replace("moved_to", "lives_in")
            predicate = "lives_in" if predicate.startswith("lives_") else predicate
            return FactDraft(f"The user's {rel}{' ' + name if name else ''} {verb} {obj}.",
                             subject, predicate, obj)
        if name:
            return FactDraft(f"The user's {rel} is called {name}.", f"user's {rel}", "name", name)
        return None
    if not obj or len(obj) > 120:
        return None
    if kind == "favorite":
        what = g["what"].strip().lower()
        return FactDraft(f"The user's favorite {what} is {obj}.", "user", f"favorite_{what}", obj)
    if kind == "feels":
        verb = g["verb"].lower()
        return FactDraft(f"The user {verb}s {obj}.", "user", verb, obj)
    templates = {
        "name": "The user's name is {}.", "lives_in": "The user lives in {}.",
        "from": "The user is from {}.", "works_as": "The user works as {}.",
        "works_at": "The user works at {}.", "age": "The user is {} years old.",
        "birthday": "The user's birthday is {}.", "learning": "The user is learning {}.",
        "has": "The user has {}.", "is_a": "The user is a {}.",
    }
    return FactDraft(templates[kind].format(obj), "user", kind, obj)


def extract_rules(text: str) -> list[FactDraft]:
    """Facts stated in plain first-person English, one pattern match at a time."""
    found: dict[str, FactDraft] = {}
    for sentence in _sentences(text):
        taken: list[tuple[int, int]] = []
        for pattern, kind in PATTERNS:
            for m in pattern.finditer(sentence):
                if any(a <= m.start() < b for a, b in taken):
                    continue  # an earlier, more specific pattern already covered this span
                draft = _draft(kind, m)
                if draft is not None:
                    taken.append(m.span())
                    found.setdefault(draft.text.lower(), draft)
    return list(found.values())


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
                },
                "required": ["subject", "predicate", "object", "text"],
            },
        }
    },
    "required": ["facts"],
}

EXTRACT_PROMPT = (
    "Extract lasting facts about the user (and the people, places, plans and preferences in their"
    " life) from the user's message. Only facts the user states; none from questions. Write each"
    " fact's text as a short third-person sentence about 'the user'. Use snake_case predicates"
    " such as lives_in, works_at, likes, name. Reply with JSON only; an empty list if nothing."
)


async def extract_llm(model: ChatModel, text: str) -> list[FactDraft]:
    """Ask the model for facts as schema-constrained JSON; malformed output yields nothing."""
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
            drafts.append(FactDraft(parts[3], parts[0].lower(), parts[1].lower(), parts[2], "inferred"))
    return drafts


def is_exclusive(predicate: str) -> bool:
    """Predicates with one value at a time: a new value supersedes the old."""
    return predicate in EXCLUSIVE or predicate.startswith("favorite_")
