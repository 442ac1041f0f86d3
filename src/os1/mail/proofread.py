"""Proofreading a mail: spelling and grammar from the letters' proofreader (hunspell's en_US
dictionary and its grammar rules), every change made and listed, plus notes on tone that are
advice only. The result is the corrected text with each change, so the user sees what moved."""

from __future__ import annotations

import re
from dataclasses import dataclass

from os1.proofing import apply
from os1.proofing import proofread as check


@dataclass(frozen=True)
class Proofread:
    text: str
    changes: tuple[str, ...]  # "recieve → receive", or a grammar rule's reason
    notes: tuple[str, ...]  # tone, and what could not be checked: advice only, never changed silently


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
    found = check(text)
    changes = tuple(f"{c.old} → {c.new}" if c.reason.startswith("spelling") else c.reason
                    for c in found.changes)
    return Proofread(apply(text, found.changes), changes, (*_tone(text), *found.notes))
