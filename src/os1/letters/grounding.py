"""The grounding check: every specific detail of a draft (a name, a place, a date, a number of
years or people, a shared event) must appear in the brief or in a memory, and each detail says
which. It is code, not the model's word, so it holds whatever the model writes.

Details are found by rules: runs of capitalised words that are not sentence-initial common
words (a dictionary tells those apart when one is installed), dates by ``dates``, counted
numbers ("twenty years", "3 children"), and shared events ("our honeymoon"). A detail is
grounded when each of its words appears, as a whole word, in some source."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from os1.letters.brief import Source
from os1.letters.dates import MONTH_NAMES, WEEKDAYS, DateKey, find_dates

Kind = Literal["name", "place", "date", "number", "event"]

_CAP = r"[A-Z][\w'’-]*"
_RUN = re.compile(rf"{_CAP}(?:[ \t]+(?:(?:of|de|la|van|von|del|da|du|le|the)[ \t]+)?{_CAP})*")
_WORD = re.compile(r"[\w'’-]+")
_PLACE_BEFORE = re.compile(r"\b(?:in|at|from|to|near|across|through|visited|around|into|toward)\s+$",
                           re.IGNORECASE)
# Words that begin sentences or stand capitalised in letters without naming anyone or anywhere
COMMON = frozenset("""
i i'm i've i'd i'll a an the and but or so yet for nor if when while as because though although
since until after before once then now today tonight tomorrow yesterday here there this that these
those it it's its he she we they you your yours you're we're they're our ours my mine me him her his
them their us who what where why how which whose all any each every some no not never always often
sometimes still just only even also too very much more most many few little dear dearest love
loving lovingly yours sincerely warmly warm regards best wishes with affection fondly forever
always truly faithfully cheers thanks thank happy congratulations hello hi hey please remember do
does did don't didn't can can't could would should will won't shall may might must let let's
yes no oh ah well perhaps maybe whatever whenever wherever one two three first last next every
mom mum dad mother father grandma grandpa granny nana papa sis bro honey darling sweetheart babe
god ps p.s mr mrs ms dr sir madam to from in on at of by about with without into over under
after again ago being been am is are was were be have has had having go going gone went come came
""".split())
_TITLES = frozenset({"mr", "mrs", "ms", "dr", "miss", "aunt", "uncle", "saint", "st"})
_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
_NUMBER_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
                      "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12})
_COUNTED = re.compile(
    r"\b(?P<n>\d+|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[ -](?:one|two|three|"
    r"four|five|six|seven|eight|nine))?|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|hundred|a dozen)\s+"
    r"(?P<what>years?|months?|weeks?|decades?|children|kids|sons|daughters|grandchildren|"
    r"grandkids|dogs|cats|times|miles|countries|cities|houses|homes|brothers|sisters)\b",
    re.IGNORECASE)
_EVENTS = ("wedding|honeymoon|trip|holiday|vacation|party|graduation|funeral|concert|picnic|"
           "reunion|christening|engagement|proposal|retirement|first date|road trip|camping|"
           "cruise|anniversary|birthday|christmas|easter|thanksgiving|hanukkah|halloween")
_EVENT = re.compile(rf"\b(?:our|the|that|your|my|his|her|their)\s+(?:[a-z]+\s+)??(?P<e>{_EVENTS})\b",
                    re.IGNORECASE)


@dataclass(frozen=True)
class Detail:
    text: str
    kind: Kind
    start: int
    end: int
    sources: tuple[str, ...]  # the refs it was found in; empty: not grounded

    @property
    def grounded(self) -> bool:
        return bool(self.sources)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "kind": self.kind, "start": self.start, "end": self.end,
                "sources": list(self.sources)}


@dataclass(frozen=True)
class Grounding:
    details: tuple[Detail, ...]

    @property
    def flagged(self) -> list[Detail]:
        return [d for d in self.details if not d.grounded]

    def to_dict(self) -> dict[str, Any]:
        return {"details": [d.to_dict() for d in self.details],
                "flagged": [d.text for d in self.flagged]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Grounding:
        return cls(tuple(Detail(d["text"], d["kind"], d["start"], d["end"], tuple(d["sources"]))
                         for d in data.get("details", ())))


def _norm(word: str) -> str:
    word = word.lower().replace("’", "'")
    return word[:-2] if word.endswith("'s") else word.rstrip("'")


def _number(text: str) -> int | None:
    text = text.lower().replace("-", " ").removeprefix("a ")
    if text.isdecimal():  # "²" is a digit, but not a number int() reads
        return int(text)
    parts = [_NUMBER_WORDS.get(p) for p in text.split()]
    return None if None in parts else sum(p for p in parts if p is not None)


@dataclass
class _Indexed:
    ref: str
    words: set[str] = field(default_factory=set)
    dates: list[DateKey] = field(default_factory=list)
    numbers: set[int] = field(default_factory=set)
    counted: set[tuple[int, str]] = field(default_factory=set)  # (3, "child"), (25, "year")


def _index(source: Source) -> _Indexed:
    indexed = _Indexed(source.ref, {_norm(w) for w in _WORD.findall(source.text)})
    indexed.dates = [key for _, _, key in find_dates(source.text)]
    for word in _WORD.findall(source.text):
        value = _number(re.sub(r"(?<=\d)(?:st|nd|rd|th)$", "", word.lower()))  # "90th" is 90
        if value is not None:
            indexed.numbers.add(value)
    for match in _COUNTED.finditer(source.text):
        value = _number(match.group("n"))
        if value is not None:
            indexed.numbers.add(value)
            indexed.counted.add((value, _stem(match.group("what"))))
    return indexed


def _stem(noun: str) -> str:
    noun = noun.lower()
    return {"children": "child", "kids": "kid"}.get(noun, noun.rstrip("s"))


def _counts(value: int | None, noun: str, source: _Indexed) -> bool:
    """Whether ``source`` gives this count: "25 years" for "twenty-five years", or the number
    and the thing counted both somewhere in it."""
    stem = _stem(noun)
    # "her 90th birthday" and "our 25th anniversary" say how many years
    years = stem == "year" and bool({"birthday", "anniversary"} & source.words)
    return (value, stem) in source.counted or (
        value in source.numbers and (stem in source.words or stem + "s" in source.words or years))


def _sentence_start(text: str, at: int) -> bool:
    before = text[:at].rstrip(" \t\"'“‘(")
    return not before or before[-1] in ".!?:;\n—–-"


def _is_common(word: str, text: str, at: int, known: Callable[[str], bool] | None) -> bool:
    low = _norm(word)
    if low in COMMON or low in MONTH_NAMES or low.rstrip("s") in WEEKDAYS:
        return True
    if not _sentence_start(text, at):
        return False
    # a capital that only starts a sentence: a name when no dictionary knows it in lower case
    if known is not None and known(low):
        return True
    return re.search(rf"(?<![\w'’]){re.escape(low)}\b", text) is not None


def _name_details(text: str, taken: list[tuple[int, int]],
                  known: Callable[[str], bool] | None) -> list[tuple[int, int, str, Kind]]:
    found: list[tuple[int, int, str, Kind]] = []
    for run in _RUN.finditer(text):
        words = list(re.finditer(_CAP, run.group(0)))
        keep = [w for w in words if not (_is_common(w.group(0), text, run.start() + w.start(), known)
                                         or _norm(w.group(0)) in _TITLES)]
        if not keep:
            continue
        start, end = run.start() + keep[0].start(), run.start() + keep[-1].end()
        if any(s < end and start < e for s, e in taken):
            continue
        kind: Kind = "place" if _PLACE_BEFORE.search(text[:start]) else "name"
        found.append((start, end, text[start:end], kind))
    return found


def _where(tokens: Sequence[str], sources: Sequence[_Indexed]) -> tuple[str, ...]:
    refs: list[str] = []
    for token in tokens:
        holding = [s.ref for s in sources if token in s.words or token.rstrip("s") in s.words]
        if not holding:
            return ()
        refs += [r for r in holding if r not in refs]
    return tuple(refs)


def check(draft: str, sources: Sequence[Source], known: Callable[[str], bool] | None = None) -> Grounding:
    """Every specific detail of ``draft`` and the sources it is grounded in. ``known`` says
    whether a lower-case word is an ordinary dictionary word (sentence-initial capitals)."""
    index = [_index(s) for s in sources]
    details: list[Detail] = []
    taken: list[tuple[int, int]] = []
    for start, end, key in find_dates(draft):
        refs = tuple(s.ref for s in index if any(key.within(k) for k in s.dates))
        details.append(Detail(draft[start:end], "date", start, end, refs))
        taken.append((start, end))
    for match in _COUNTED.finditer(draft):
        if any(s < match.end() and match.start() < e for s, e in taken):
            continue
        value = _number(match.group("n"))
        refs = tuple(s.ref for s in index if _counts(value, match.group("what"), s))
        details.append(Detail(match.group(0), "number", match.start(), match.end(), refs))
        taken.append((match.start(), match.end()))
    for match in _EVENT.finditer(draft):
        noun = match.group("e").lower().split()
        details.append(Detail(match.group("e"), "event", match.start("e"), match.end("e"),
                              _where(noun, index)))
    for start, end, name, kind in _name_details(draft, taken, known):
        tokens = [_norm(w) for w in _WORD.findall(name) if _norm(w) not in _TITLES
                  and w not in ("of", "de", "la", "van", "von", "del", "da", "du", "le", "the")]
        details.append(Detail(name, kind, start, end, _where(tokens, index)))
    return Grounding(tuple(sorted(details, key=lambda d: d.start)))
