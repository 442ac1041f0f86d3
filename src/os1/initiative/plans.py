"""A follow-up os1 plans: what it will ask, when, why, and which memory it came from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal

from os1.initiative.reading import Said

Status = str  # planned | delivered | cancelled | dropped | lapsed
Kind = Literal["follow_up", "morning", "check_in"]

_SUBJECT = re.compile(
    r"^(?:(?:and|so|also|oh|well|actually)\s+)?"
    r"(?P<np>(?:my|our|the|a|an|[A-Z][\w-]*'s|my \w+'s)\s[^,]{1,60}?)"
    r"\s+(?:is|are|'s|will be|starts|begins|takes place|happens)\b", re.IGNORECASE)
_OBJECT = re.compile(
    r"\b(?:have|has|'ve got|have got|'m having|am having|'re having|are having|is having|'ll have|"
    r"will have|'m going to|am going to|'re going to|are going to|is going to|'m off to|am off to|"
    r"'m attending|am attending|'m taking|am taking)\s+"
    r"(?!to\b)(?P<np>(?:(?:my|our|a|an|the|his|her|their)\s)?[^,.!]{1,60}?)"
    r"(?:\s+(?:on|at|in|this|next|tomorrow|tonight|today)\b|[,.!]|$)", re.IGNORECASE)
_NOUN_PHRASE = re.compile(r"\b(?:a|an|the|my|our|his|her|their|(?!(?:it|that|there|what|he|she|who|here)'s)"
                          r"[A-Za-z]+'s)\s+[a-z]", re.IGNORECASE)
_OWNER = re.compile(r"^(?P<who>[Mm]y \w+|[A-Z][\w-]*)\s+(?:has|is having|'s having|will have)\b")
_YOURS = {"my": "your", "our": "your", "i": "you", "me": "you", "we": "you", "mine": "yours"}


@dataclass(frozen=True)
class Plan:
    """A follow-up: its text, the reason os1 can give, its source memory and when it is due."""

    id: int
    text: str
    reason: str
    source_id: int | None
    words: frozenset[str]
    event_at: datetime
    due_at: datetime
    status: Status = "planned"
    delivered_at: datetime | None = None
    kind: Kind = "follow_up"  # a follow-up, the morning note, or a check-in after a silence


def yours(text: str) -> str:
    """The user's words turned to os1's side ("my sister" -> "your sister")."""
    return re.sub(r"\b(my|our|i|me|we|mine)\b", lambda m: _keep_case(m.group(1), _YOURS[m.group(1).lower()]),
                  text, flags=re.IGNORECASE)


def _keep_case(was: str, now: str) -> str:
    return now.capitalize() if was[:1].isupper() and was.lower() != "i" else now


def subject(clause: str) -> str | None:
    """The event a clause names ("Ana's wedding", "your sister's exam"), when the words show it."""
    match = _SUBJECT.search(clause) or _OBJECT.search(clause)
    if match is None:
        return None
    phrase = re.sub(r"^(?:a|an)\s+", "the ", match.group("np").strip(), flags=re.IGNORECASE)
    owner = _OWNER.match(clause)
    if owner is not None:  # "my sister has her exam" -> "my sister's exam"
        phrase = re.sub(r"^(?:his|her|their|the)\s+", owner.group("who") + "'s ", phrase, flags=re.IGNORECASE)
    return yours(phrase[:1].lower() + phrase[1:] if phrase[:1].isupper() and
                 not re.match(r"^[A-Z][\w-]*'s", phrase) else phrase)


def follow_up_text(said: Said) -> str | None:
    """What os1 asks: "How was Ana's wedding?", or the user's own words quoted when no event
    phrase stands out."""
    named = subject(said.clause)
    if named:
        return f"How was {named}?"
    if not _NOUN_PHRASE.search(said.clause):
        return None  # "It's raining today", "I'm tired today": a state, not an event
    return f"How did it go? You told me: \u201c{said.clause.strip()}\u201d"


def reason_for(said: Said, heard_at: datetime) -> str:
    return (f"On {heard_at:%Y-%m-%d} you said \u201c{said.clause.strip()}\u201d; "
            f"that was on {said.when:%A %Y-%m-%d}.")


def due_after(event_at: datetime, hour: time) -> datetime:
    """When to ask: the morning after the event's day, at ``hour`` local time."""
    day = event_at.date() + timedelta(days=1)
    return datetime.combine(day, hour, tzinfo=event_at.tzinfo)
