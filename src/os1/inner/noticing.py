"""A journal entry written by rules, for the bundled model (too small to write one): what was
noticed (the facts learned, the topics), what os1 is curious about (what the user only touched
on), and what to ask next time (plans the user mentioned, retold as "how ... went").

Only the user's own words and os1's own replies are read; outside content never reaches here
(the caller leaves it out, and ``verbatim`` checks every line afterwards).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from os1.inner.entry import Entry, clip
from os1.memory.base import MemoryItem

FUTURE = re.compile(r"\b(tomorrow|tonight|next (?:week|month|year|\w+day)|on (?:mon|tues|wednes|thurs|fri|"
                    r"satur|sun)day|this (?:weekend|evening|afternoon)|soon|going to|gonna|will|"
                    r"planning|plan to|about to)\b", re.IGNORECASE)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
STOP = set("""a about above after again against all also am an and any are aren't as at be because
been before being below between both but by can can't cannot could did didn't do does doesn't doing
don't down during each even ever every few for from further get gets got had has have having he her
here hers herself him himself his how i i'd i'll i'm i've if in into is isn't it it's its itself
just know let's like little lot make many maybe me more most much must my myself need never no nor
not now of off oh ok okay on once one only or other ought our ours ourselves out over own really
right said same say says see she should so some something still such sure than thank thanks that
that's the their theirs them themselves then there there's these they they're thing things think
this those though through to too today tomorrow tonight up us very want was wasn't way we we're well
were what what's when where which while who whom why will with won't would yeah yes yet you you'd
you'll you're you've your yours yourself going gonna go went come came feel felt good great day
time week weekend next last year month morning evening night bit kind pretty actually keep make
take give tell told ask asked talk talked try help please answer answers question questions short
long nice lovely love like liked hope sorry fine glad happy sad""".split())
_FLIP = {"i": "you", "i'm": "you're", "i've": "you've", "i'll": "you'll", "i'd": "you'd", "me": "you",
         "my": "your", "mine": "yours", "myself": "yourself", "am": "are", "we": "you", "our": "your",
         "us": "you", "was": "were"}


def to_second_person(sentence: str) -> str:
    """The user's sentence as os1 would retell it to them ("I have an exam" -> "you have an exam")."""
    def flip(m: re.Match[str]) -> str:
        word = m.group(0)
        return _FLIP.get(word.lower(), word)
    return re.sub(r"[A-Za-z']+", flip, sentence.strip().rstrip(".!?"))


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if len(s.split()) >= 3]


def topics(texts: Sequence[str], k: int = 3) -> list[str]:
    """The words the user came back to most, names first (a capitalised word not opening a
    sentence), stop words left out."""
    counts: Counter[str] = Counter()
    names: set[str] = set()
    for text in texts:
        for sentence in sentences(text) or [text]:
            for i, word in enumerate(_WORD.findall(sentence)):
                low = word.lower().strip("'")
                if low in STOP or len(low) < 3:
                    continue
                counts[low] += 1
                if i > 0 and word[0].isupper():
                    names.add(low)
    ranked = sorted(counts, key=lambda w: (-(counts[w] + (1 if w in names else 0)), w))
    return [w.capitalize() if w in names else w for w in ranked[:k]]


def plans(texts: Sequence[str], k: int = 2) -> list[str]:
    """What the user said they will do, retold: "how you have an exam tomorrow went" reads
    badly, so it becomes "how it went: you have an exam tomorrow"."""
    found = [s for text in texts for s in sentences(text)
             if FUTURE.search(s) and not s.rstrip().endswith("?")]
    return [f"how it went: {to_second_person(s)}" for s in found[:k]]


def rule_entry(session_id: int, turns: Sequence[MemoryItem], facts: Sequence[MemoryItem],
               *, day: str = "", mood: str = "") -> Entry:
    """An entry from a conversation's own turns and the facts learned from them."""
    said = [t.text for t in turns if t.role == "user"]
    noticed = [f"that {retold(f.text)}" for f in facts]
    about = topics(said)
    if about and len(noticed) < 2:
        noticed.append("that we talked about " + _joined(about))
    curious = [f"what {w if w[:1].isupper() else 'the ' + w} means to you" for w in about[:1]]
    return Entry(session_id, clip(noticed), clip(curious), clip(plans(said)),
                 tuple(t.id for t in turns) + tuple(f.id for f in facts), "rules", mood, day)


_VERBS = {"has": "have", "is": "are", "was": "were", "does": "do", "goes": "go"}


def retold(fact: str) -> str:
    """A stored fact ("The user lives in Lisbon.") as said to the user ("you live in Lisbon")."""
    text = fact.strip().rstrip(".")
    text = re.sub(r"^The user's\b", "your", text)
    m = re.match(r"^The user (\w+)\b", text)
    if m is None:
        return text
    verb = m.group(1)
    if verb in _VERBS:
        verb = _VERBS[verb]
    elif verb.endswith(("sses", "shes", "ches", "xes", "zes")):
        verb = verb[:-2]  # misses, watches: miss, watch
    elif verb.endswith("s") and not verb.endswith("ss"):
        verb = verb[:-1]
    return f"you {verb}{text[m.end():]}"


def _joined(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
