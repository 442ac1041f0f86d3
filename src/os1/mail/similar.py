"""Near-duplicate detection: a 64-bit SimHash over word 3-grams (Charikar), compared by Hamming
distance; and subject templates, so "Order 1234 shipped" and "Order 5678 shipped" match."""

from __future__ import annotations

import hashlib
import re

import numpy as np

_WORD = re.compile(r"\w+")
_NUMBERS = re.compile(r"\d[\d,.:/-]*|\b(january|february|march|april|may|june|july|august|september"
                      r"|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
                      r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)
_PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|sv)\s*:\s*)+", re.I)


def simhash(text: str) -> int:
    """A signed 64-bit SimHash (SQLite integers are signed); bit counts vectorised with numpy."""
    words = _WORD.findall(text.lower())
    grams = [" ".join(words[i:i + 3]) for i in range(max(1, len(words) - 2))] if words else []
    if not grams:
        return 0
    hashes = np.array([int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "little")
                       for g in grams], dtype=np.uint64)
    bits = np.unpackbits(hashes.view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    value = int.from_bytes(np.packbits(bits.sum(axis=0) * 2 > len(grams), bitorder="little").tobytes(),
                           "little")
    return value - (1 << 64) if value >= 1 << 63 else value


def shingles(text: str) -> set[str]:
    words = _WORD.findall(text.lower())
    return {" ".join(words[i:i + 3]) for i in range(max(1, len(words) - 2))} if words else set()


def resemblance(a: str, b: str) -> float:
    """Jaccard similarity of word 3-grams: exact where SimHash is noisy (short texts)."""
    first, second = shingles(a), shingles(b)
    return len(first & second) / len(first | second) if first | second else 1.0


def distance(a: int, b: int) -> int:
    return ((a ^ b) & (1 << 64) - 1).bit_count()


def subject_template(subject: str) -> str:
    """A subject with reply prefixes, numbers, months and weekdays replaced, for grouping
    notifications ("Statement for March" and "Statement for April" are one series)."""
    return " ".join(_NUMBERS.sub("#", _PREFIX.sub("", subject)).lower().split())


def base_subject(subject: str) -> str:
    return " ".join(_PREFIX.sub("", subject).lower().split())



_TOKEN = re.compile(r"[A-Za-z0-9-]{4,}")
_NOT_IDS = re.compile(r"^((19|20)\d\d|\d{4}-\d\d-\d\d)$")  # a year or an ISO date


def references(subject: str) -> set[str]:
    """Identifiers in a subject (order, tracking or ticket numbers: four digits or more), which
    name the thing a notification is about; years and dates are not identifiers."""
    return {t.upper() for t in _TOKEN.findall(subject)
            if sum(c.isdigit() for c in t) >= 4 and not _NOT_IDS.match(t)}
