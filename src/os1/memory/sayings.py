"""A memory as a person means it: which other memories say the same thing, and a fact worded
for the person it is about.

Forgetting "The user's sister Ana lives in Lisbon." should not leave the sentence the user said
it in, nor os1's replies that repeat it. ``says`` decides whether one memory says what a fact
says: it names the fact's object (every word of it) and, when the fact's subject names someone
other than the user, one of that subject's words (or the name it is known by) too.
``for_person`` rewords a stored fact ("The user's sister ...") as it is shown to the user
("Your sister ..."); storage keeps the
original words."""

from __future__ import annotations

import re

from os1.memory.base import MemoryItem

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_PLAIN = frozenset({"user", "user's", "the", "a", "an", "of", "my", "is", "to", "in", "and"})

# "The user <verb>s ..." -> "You <verb> ..."; irregular verbs first, then the regular endings
_VERBS = {"is": "are", "was": "were", "has": "have", "does": "do", "goes": "go"}


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


def says(fact: MemoryItem, other: MemoryItem, names: frozenset[str] = frozenset()) -> bool:
    """Whether ``other`` says what ``fact`` says (see the module docstring); ``names`` are what
    the fact's subject is called ("Ana", for the user's sister), which name it as well."""
    if fact.kind != "fact" or not fact.object or other.id == fact.id:
        return False
    said = _words(other.text)
    needed = _words(fact.object) - _PLAIN
    if not needed or not needed <= said:
        return False
    who = _words(fact.subject or "") - _PLAIN
    return not who or bool((who | {n.casefold() for n in names}) & said)


def for_person(text: str) -> str:
    """A fact about "the user" as said to that user: "The user's X" -> "Your X", "The user
    likes X" -> "You like X"; any other text as it is."""
    if text.startswith("The user's "):
        return "Your " + text[len("The user's "):]
    if not text.startswith("The user "):
        return text
    verb, _, rest = text[len("The user "):].partition(" ")
    return f"You {_second_person(verb)}{' ' + rest if rest else ''}"


def _second_person(verb: str) -> str:
    if verb in _VERBS:
        return _VERBS[verb]
    if verb.endswith("ies") and len(verb) > 4:
        return verb[:-3] + "y"
    if verb.endswith(("ches", "shes", "sses", "xes", "zzes")):
        return verb[:-2]
    if verb.endswith("s") and not verb.endswith("ss"):
        return verb[:-1]
    return verb
