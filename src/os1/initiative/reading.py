"""What a sentence of the user's says about an event: a new one (with its day), a cancellation, a
move, a wish not to hear of it again, or nothing to follow up (the past, a question, small talk).

The cues are plain rules on the words; the days come from dates.py (dateparser)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Literal

from os1.initiative.dates import dates_in

Kind = Literal["event", "cancel", "move", "stop"]
MAX_TEXT = 4000  # of a message, read for events
MAX_CLAUSE = 400  # longer is not a spoken sentence

_CLAUSES = re.compile(r"(?<=[.!?;])\s+|\s*\n\s*|,?\s+\b(?:but|although|though|whereas)\b\s+"
                      r"|,\s*(?:and|so)\s+", re.IGNORECASE)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_STOP = re.compile(r"\b(?:don'?t|do not|never|stop|no need to)\s+(?:\w+\s+){0,2}?(?:remind|bring|ask|mention|"
                   r"talk|bother|follow)|\brather not (?:talk|hear|discuss)|\bdrop (?:it|the subject)\b",
                   re.IGNORECASE)
_CANCEL = re.compile(r"\b(?:cancel(?:l?ed|s|ling)?|called off|calls? off|is off|are off|not happening|"
                     r"fell through|falls through|scrapped|won'?t happen|no longer (?:happening|going)|"
                     r"(?:not|won'?t be) going (?:anymore|after all)|postponed indefinitely|"
                     r"(?:postponed|delayed|put off)(?: until further notice)?$)", re.IGNORECASE)
_MOVE = re.compile(r"\b(?:moved?|moving|postponed?|rescheduled?|pushed(?: back)?|brought forward|"
                   r"changed|shifted|delayed|put off|is now|are now|now on|now it'?s)\b", re.IGNORECASE)
_PAST = re.compile(r"\b(?:was|were|went|had|did|attended|visited|came|finished|ended|happened|"
                   r"yesterday|ago|already|passed|enjoyed|loved)\b", re.IGNORECASE)
_NOT_EVENT = re.compile(r"^\s*(?:remind me|can you|could you|would you|what|when|where|why|how|"
                        r"should|is it|are there|do you)\b|\?\s*$|\bevery\b", re.IGNORECASE)
_STOPWORDS = frozenset(
    "a an the my our your his her their its i me we us you he she they it this that these those is are "
    "was were be been being am 's have has had having do does did will would shall can could to of in "
    "on at for from with about by and or but so just also really got get getting going go gonna "
    "there here then now next last this week weekend day days today tomorrow tonight night morning "
    "afternoon evening monday tuesday wednesday thursday friday saturday sunday please again anymore "
    "after all not don't dont do remind bring up ask mention talk me it's i'm we're up off "
    "cancelled canceled called moved postponed rescheduled pushed back forward changed "
    "actually oh well yes no okay ok".split())


@dataclass(frozen=True)
class Said:
    """One clause that concerns an event: its kind, its words, and (events and moves) its day."""

    kind: Kind
    clause: str
    words: frozenset[str]
    when: datetime | None = None
    past: bool = False


def key_words(text: str) -> frozenset[str]:
    """The words that name what a clause is about (not its day, not its grammar)."""
    words = re.findall(r"[a-z][a-z'-]*", text.lower())
    return frozenset(w.removesuffix("'s") for w in words
                     if w not in _STOPWORDS and w.removesuffix("'s") not in _STOPWORDS and len(w) > 2)


def clauses(text: str) -> list[str]:
    """The clauses of a message, each read on its own (so "X is off, but Y is on Friday" is two)."""
    return [c.strip() for c in _CLAUSES.split(text) if c and c.strip()]


def events_apart(clause: str, now: datetime, zone: tzinfo) -> list[str]:
    """A clause split at a bare "and" when each side names its own day ("a vet visit on Wednesday
    and a dinner on Friday" is two events); otherwise the clause whole."""
    parts = [p.strip() for p in _AND.split(clause) if p.strip()]
    if len(parts) > 1 and all(dates_in(p, now, zone) for p in parts):
        return parts
    return [clause]


def read(text: str, now: datetime, zone: tzinfo) -> list[Said]:
    """What each clause of ``text``, said at ``now``, says about events, in order."""
    out: list[Said] = []
    for whole in clauses(text[:MAX_TEXT]):
        if len(whole) > MAX_CLAUSE:
            continue  # a pasted passage, not a sentence about the user's week
        for clause in events_apart(whole, now, zone):
            said = _read_clause(clause, now, zone)
            if said is not None:
                out.append(said)
    return out


def _read_clause(clause: str, now: datetime, zone: tzinfo) -> Said | None:
    found = dates_in(clause, now, zone)
    bare = clause
    for item in found:
        bare = bare.replace(item.phrase, " ")
    words = key_words(bare)
    if _STOP.search(clause):
        return Said("stop", clause, words)
    if _CANCEL.search(clause.rstrip(" .!")):
        return Said("cancel", clause, words)
    if _MOVE.search(clause) and found:
        return Said("move", clause, words, max(f.at for f in found))
    if _MOVE.search(clause) and re.search(r"\b(?:postponed|delayed|put off)\b", clause, re.IGNORECASE):
        return Said("cancel", clause, words)  # moved to no day yet: nothing to follow up
    if not found or not words or _NOT_EVENT.search(clause):
        return None
    when = max(f.at for f in found)
    past = bool(_PAST.search(bare)) or when.date() < now.astimezone(zone).date()
    return Said("event", clause, words, when, past)
