"""Near-duplicate detection: a 64-bit SimHash over word 3-grams (Charikar), compared by Hamming
distance; and subject templates, so "Order 1234 shipped" and "Order 5678 shipped" match."""

from __future__ import annotations

import hashlib
import re

_WORD = re.compile(r"\w+")
_NUMBERS = re.compile(r"\d[\d,.:/-]*|\b(january|february|march|april|may|june|july|august|september"
                      r"|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
                      r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)
_PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|sv)\s*:\s*)+", re.I)


def simhash(text: str) -> int:
    """A signed 64-bit SimHash (SQLite integers are signed)."""
    words = _WORD.findall(text.lower())
    grams = [" ".join(words[i:i + 3]) for i in range(max(1, len(words) - 2))] if words else []
    weights = [0] * 64
    for gram in grams:
        h = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=8).digest())
        for bit in range(64):
            weights[bit] += 1 if h >> bit & 1 else -1
    value = sum(1 << bit for bit in range(64) if weights[bit] > 0)
    return value - (1 << 64) if value >= 1 << 63 else value


def distance(a: int, b: int) -> int:
    return ((a ^ b) & (1 << 64) - 1).bit_count()


def subject_template(subject: str) -> str:
    """A subject with reply prefixes, numbers, months and weekdays replaced, for grouping
    notifications ("Statement for March" and "Statement for April" are one series)."""
    return " ".join(_NUMBERS.sub("#", _PREFIX.sub("", subject)).lower().split())


def base_subject(subject: str) -> str:
    return " ".join(_PREFIX.sub("", subject).lower().split())
