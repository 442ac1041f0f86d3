"""Proofreading without a model: common misspellings, doubled words, capitals, spacing and
shouting, returned as the corrected text plus each change, so the user sees exactly what moved."""

from __future__ import annotations

import re
from dataclasses import dataclass

_MISSPELT = {
    "teh": "the", "recieve": "receive", "recieved": "received", "seperate": "separate",
    "definately": "definitely", "occured": "occurred", "untill": "until", "wich": "which",
    "thier": "their", "alot": "a lot", "becuase": "because", "accomodate": "accommodate",
    "tommorow": "tomorrow", "tomorow": "tomorrow", "goverment": "government", "adress": "address",
    "begining": "beginning", "beleive": "believe", "calender": "calendar", "enviroment": "environment",
    "freind": "friend", "happend": "happened", "immediatly": "immediately", "independant": "independent",
    "neccessary": "necessary", "noticable": "noticeable", "occassion": "occasion", "prefered": "preferred",
    "reccomend": "recommend", "recomend": "recommend", "relevent": "relevant", "remeber": "remember",
    "resturant": "restaurant", "sucess": "success", "suprise": "surprise", "truely": "truly",
    "wierd": "weird", "existance": "existence", "acheive": "achieve", "arguement": "argument",
    "embarass": "embarrass", "foward": "forward", "grammer": "grammar", "knowlege": "knowledge",
    "persue": "pursue", "recieving": "receiving", "wether": "whether", "writting": "writing",
    "youre welcome": "you're welcome", "dont": "don't", "cant": "can't", "wont": "won't",
    "im": "I'm", "ive": "I've", "didnt": "didn't", "doesnt": "doesn't", "isnt": "isn't",
}
_WORD = re.compile(r"\b[A-Za-z']+\b")


@dataclass(frozen=True)
class Proofread:
    text: str
    changes: tuple[str, ...]
    notes: tuple[str, ...]  # tone: advice only, never changed silently


def _spelling(text: str, changes: list[str]) -> str:
    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        right = _MISSPELT.get(word.lower())
        if right is None:
            return word
        if word[0].isupper() and not right[0].isupper():
            right = right[0].upper() + right[1:]
        changes.append(f"{word} → {right}")
        return right

    return _WORD.sub(fix, text)


def _mechanics(text: str, changes: list[str]) -> str:
    rules = [
        (re.compile(r"\b(\w+)(\s+)\1\b", re.I), lambda m: m.group(1), "doubled word"),
        (re.compile(r"(?<![\w'])i(?![\w'])"), lambda m: "I", "capital I"),
        (re.compile(r" +([,.;:!?])"), lambda m: m.group(1), "space before punctuation"),
        (re.compile(r"([,;:])(?=[A-Za-z])"), lambda m: m.group(1) + " ", "space after punctuation"),
        (re.compile(r"(^|[.!?]\s+)([a-z])"), lambda m: m.group(1) + m.group(2).upper(),
         "capital at sentence start"),
        (re.compile(r"[ \t]{2,}"), lambda m: " ", "double space"),
    ]
    for pattern, repl, label in rules:
        new = pattern.sub(repl, text)
        if new != text:
            changes.append(label)
            text = new
    return text


def _tone(text: str) -> list[str]:
    notes = []
    if re.search(r"\b[A-Z]{4,}\b", text) and not text.isupper():
        notes.append("words in capitals read as shouting")
    if re.search(r"[!?]{3,}", text):
        notes.append("several !!! or ??? in a row can sound upset")
    if re.search(r"\b(asap|immediately|urgent)\b", text, re.I):
        notes.append("'ASAP/urgent' can sound demanding; a reason or a date is kinder")
    return notes


def proofread(text: str) -> Proofread:
    changes: list[str] = []
    fixed = _mechanics(_spelling(text, changes), changes)
    return Proofread(fixed, tuple(changes), tuple(_tone(text)))
