"""What of a message can state a lasting fact: its clauses, each with the time it names.

A message is cut into sentences, and sentences into clauses where a new subject starts ("I'm
Noor, I'm 27", "I live in Leeds and my sister lives in York"). A clause says nothing lasting when
it asks (a question), supposes (a hypothetical, a wish, a plan), denies (a negation) or tells of
one moment (tonight, right now): such clauses are dropped whole, so no pattern ever sees them.
Time phrases ("last month", "now") are cut out of a clause: they date a fact, they are not part
of its value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from os1.memory.fact_lexicon import all_verbs, lasting_verbs

DAY = 86400.0
MAX_TEXT = 20_000  # characters of a message read for facts
MAX_SENTENCE = 400  # characters: a longer sentence is not one that states a fact plainly

_QUESTION_START = re.compile(
    r"^(?:do|does|did|am|is|are|was|were|have|has|had|can|could|should|would|will|shall|may|"
    r"might|must|what|where|when|who|whom|whose|why|how|which|any idea|guess what)\b", re.I)
_HYPOTHETICAL = re.compile(
    r"\b(?:if|unless|would|wouldn't|could|might|maybe|perhaps|probably|wish|hope|hoping|someday|"
    r"one day|imagine|suppose|supposing|pretend|dream(?:ing|t|ed)? (?:of|about)|thinking (?:of|about)|"
    r"considering|planning|plan to|want to|wanna|going to|gonna|might|should|ought|"
    r"in another life|if only|what if|i'd|you'd|we'd|will|won't|'ll|when I retire)\b", re.I)
_NEGATION = re.compile(
    r"\b(?:not|never|no|nobody|nothing|neither|nor|none|no longer|without)\b|n't\b|\bnot\b", re.I)
_ONE_OFF = re.compile(
    r"\b(?:tonight|today|tomorrow|this (?:morning|afternoon|evening|weekend|week)|right now|"
    r"at the moment|later|earlier today|for dinner|for lunch|for breakfast|so tired|so hungry|"
    r"clearly|totally|kind of|sort of|a bit|feeling|feels|felt|currently reading|"
    r"is (?:\w+ing)|are (?:\w+ing)|'s (?:\w+ing)|'re (?:\w+ing))\b", re.I)
# a negation that tells of a change: what it denies was true before ("I'm not vegan anymore")
_CEASED = re.compile(r"\b(?:anymore|any more|no longer|any longer)\b", re.I)
_UNSAID = [(re.compile(p, re.I), r) for p, r in (
    (r"\bno longer\b|\bnot\b(?= \w+ (?:anymore|any more|any longer)$)", ""),
    (r"\b(?:do|does|did)(?: not|n't)\s+", ""), (r"\b(is|are|was|were|have|has)n't\b", r"\1"),
    (r"\b(am|'m|is|'s|are|'re|have|'ve|has)\s+not\b", r"\1"))]
# what a negation may say and still be a fact: "I can't stand X" is dislike, not denial
_NEGATIVE_FACTS = re.compile(r"\bcan(?:'t|not) stand\b", re.I)
# "-ing" that tells of a lasting state, not one moment: any verb of the lexicon ("are settling
# in", "'m working at") and a few of courtship
_LASTING_ING = re.compile(rf"(?:'m|am|'s|is|are|'re) (?:(?:{lasting_verbs()})\b(?<=ing)|seeing|dating|"
                          r"based|called|named|getting married|engaged)\b|\bnothing\b", re.I)

_COUNTS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30}
_NUMBERS = "|".join(_COUNTS)
# time phrases: (pattern, days before the clause's time that the fact began)
_TIMES: list[tuple[re.Pattern[str], float]] = [
    (re.compile(r"\b(?:just )?yesterday\b", re.I), 1.0),
    (re.compile(r"\blast week(?:end)?\b", re.I), 7.0),
    (re.compile(r"\blast month\b", re.I), 30.0),
    (re.compile(r"\blast year\b", re.I), 365.0),
    (re.compile(rf"\b(?:{_NUMBERS}|\d+) (day|week|month|year)s? ago\b", re.I), -1.0),
    (re.compile(r"\b(?:a (?:few|couple of) )(day|week|month|year)s? ago\b", re.I), -2.0),
    (re.compile(r"\bsince (?:19|20)\d\d\b|\bin (?:19|20)\d\d\b", re.I), 0.0),
    (re.compile(r"\blast (?:spring|summer|autumn|fall|winter|january|february|march|april|may|june|"
                r"july|august|september|october|november|december)\b", re.I), 180.0),
    (re.compile(r"\bin (?:the )?(?:spring|summer|autumn|fall|winter|January|February|March|April|June|"
                r"July|August|September|October|November|December)\b"), 0.0),
    (re.compile(rf"\b(?:since|for) (?:a (?:few|couple of) |(?:{_NUMBERS}|\d+) )?"
                r"(?:days?|weeks?|months?|years?|ages|a while)\b", re.I), 0.0),
    (re.compile(r"\b(?:right )?now\b|\bthese days\b|\bnowadays\b|\banymore\b|\bofficially\b|"
                r"\bfinally\b|\boriginally\b|\brecently\b|\bjust\b|\bactually\b|\bstill\b|\balways\b|\bhonestly\b|"
                r"\breally\b|\bliterally\b|\bthrough and through\b|\bby the way\b|\bbtw\b|"
                r"\bas of \w+\b|\bin the end\b|\bany ?more\b|\bany longer\b|\bagain\b|"
                r"\bthese days\b", re.I), 0.0),
]
_UNIT_DAYS = {"day": 1.0, "week": 7.0, "month": 30.0, "year": 365.0}

# a new clause starts where a new subject does, after a comma, "and", "but" or "so"
_CLAUSE_BREAK = re.compile(
    r"\s*(?:,|;|:|\s-\s|\s\u2014\s)\s*(?:and |but |so |plus )?(?=(?:I|I'm|I've|my|My|we|We|[A-Z][a-z]+ "
    r"(?:and I|lives|works|moved|is|has|'s))\b)|\s+(?:and|but|so|plus)\s+(?=(?:I|I'm|I've|my|we)\b)"
    r"|\s*,\s*(?:and |but |so )|\s+but\s+|\s+because\s+|\s+though\s+")
# "and joined Monzo" after a clause about the user: the subject is the user again (any verb of
# the lexicon, in any form)
_ELIDED = re.compile(rf"\s+and\s+(?=(?:now |then |also )?{all_verbs()}\b)")


@dataclass(frozen=True)
class Clause:
    """One clause that may state a lasting fact, and how many seconds before the message's
    time the fact it states began (``since``)."""

    text: str
    since: float = 0.0
    ended: bool = False  # it tells what is true no longer ("I don't live in Bath anymore")


def sentences(text: str) -> Iterator[tuple[str, bool]]:
    """Each sentence of ``text`` with whether it asks a question, casing normalised. Only the
    first ``MAX_TEXT`` characters are read, and a sentence longer than ``MAX_SENTENCE`` is
    skipped: people state facts about themselves in short sentences, and the rules' cost grows
    with a sentence's length (a long paste is learned from in milliseconds, not seconds)."""
    for part in re.split(r"(?<=[.!?])\s+|\n+", text[:MAX_TEXT]):
        part = part.strip()
        if not part or len(part) > MAX_SENTENCE:
            continue
        asks = part.rstrip(" \"')").endswith("?")
        part = part.strip().rstrip(".!?")
        part = re.sub(r"[\u2019\u2018]", "'", part)
        part = re.sub(r"\bMy\b", "my", part)
        yield re.sub(r"\bi(?=\b|')", "I", part), asks


def clauses(text: str) -> Iterator[Clause]:
    """The clauses of ``text`` that may state a lasting fact, time phrases cut out."""
    for sentence, asks in sentences(text):
        if asks or _QUESTION_START.match(sentence):
            continue
        if re.match(r"(?:I|we)\b", sentence):  # "I left Amazon and joined Monzo": the user again
            sentence = _ELIDED.sub(" and I ", sentence)
        for piece in _CLAUSE_BREAK.split(sentence):
            piece = re.sub(r"^(?:and|but|so|oh|well|yeah|yes|ok|okay|also|anyway|hi|hey|hello|"
                           r"hiya|heya|yo|um|uh|erm|hmm|ah|ugh|nah|right|alright|lol|fyi|news)\b"
                           r"[,!]?\s*", "", piece.strip(), flags=re.I)
            piece = re.sub(r"^(The|Our|We)\b", lambda m: m[1].lower(), piece)
            if piece and lasting(piece):
                yield dated(piece)
            elif piece and ceased(piece):
                yield dated(affirmed(piece), ended=True)


def lasting(clause: str) -> bool:
    """Whether a clause can state a lasting fact: it neither supposes nor denies, and tells of
    more than one moment."""
    if _HYPOTHETICAL.search(clause):
        return False
    if _NEGATION.search(clause) and not _NEGATIVE_FACTS.search(clause):
        return False
    masked = _LASTING_ING.sub(" ", clause)
    return not _ONE_OFF.search(masked)


def ceased(clause: str) -> bool:
    """Whether a clause denies what was true until now: a negation said as a change ("no
    longer", "anymore"), which supposes nothing and tells of more than one moment."""
    return bool(_CEASED.search(clause)) and not _HYPOTHETICAL.search(clause) \
        and not _ONE_OFF.search(_LASTING_ING.sub(" ", clause))


def affirmed(clause: str) -> str:
    """The clause with its negation taken out: what was true before ("I'm not vegan anymore":
    "I'm vegan anymore", whose time word ``dated`` then cuts)."""
    for pattern, replacement in _UNSAID:
        clause = pattern.sub(replacement, clause)
    return " ".join(clause.split())


def dated(clause: str, ended: bool = False) -> Clause:
    """The clause without its time phrases, and the time before the message the fact began."""
    since = 0.0
    for pattern, days in _TIMES:
        for found in pattern.finditer(clause):
            if days == -1.0:
                count = _COUNTS.get(found.group(0).split()[0].lower())
                since = max(since, (count or int(found.group(0).split()[0])) * _UNIT_DAYS[found[1].lower()])
            elif days == -2.0:
                since = max(since, 3 * _UNIT_DAYS[found[1].lower()])
            else:
                since = max(since, days)
        clause = pattern.sub(" ", clause)
    clause = re.sub(r"\s+([,;:'])", r"\1", " ".join(clause.split()))
    return Clause(clause.strip(" ,;:-"), since * DAY, ended)
