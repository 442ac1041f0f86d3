"""Superseded notifications: an automatic mail made out of date by a later one from the same
sender about the same thing ("Your order has shipped", then "Your order has been delivered";
"Reset your password", then "Your password was changed"; an invitation, then its new time).

Two notifications from one sender are about the same thing when, in this order:
  * they name different identifiers (order, tracking, ticket or invoice numbers): never, so two
    orders from one shop stay apart;
  * they share an identifier: always;
  * their subjects are one series but for numbers and dates ("Statement for March", "... April");
  * their gists (subject and first words) mean the same thing: the embedder os1 bundles puts them
    within ``SAME_THING`` of each other, and the later came within ``WINDOW_DAYS`` of the earlier.
The newest notification about a thing supersedes every earlier one. Lists and newsletters are
not notifications (they go stale instead, ``os1.mail.cleanup``); nothing here is decided by a
chat model. The threshold is measured on a labelled set of pairs (docs/mail.md).
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from os1.mail.index import Mail
from os1.mail.similar import references, subject_template
from os1.memory.base import Embedder

SAME_THING = 0.55  # cosine of two gists about one thing (measured: docs/mail.md)
WINDOW_DAYS = 30  # how far apart in time two notifications about one thing may be, by meaning
GIST_CHARS = 200  # of the body, after the subject
_NAMED_ID = re.compile(r"\b(?:order|tracking|shipment|parcel|package|invoice|ticket|case|reference|"
                       r"ref|booking|confirmation|reservation)\s*(?:number|no\.?|id|code)?\s*[:#]?\s*"
                       r"#?([A-Za-z0-9][A-Za-z0-9-]{3,})", re.I)


_CODE = re.compile(r"\b(?=[A-Za-z-]*\d)(?=[\d-]*[A-Za-z])[A-Za-z0-9-]{4,}\b")


def identifiers(mail: Mail) -> frozenset[str]:
    """What names the thing a notification is about: identifiers in its subject (numbers of four
    digits or more, codes of letters and digits such as a flight's "LX318"), and in its body
    those named as such ("order 4471", "tracking number: 1Z99..."), not a footer's phone."""
    codes = {c.upper() for c in _CODE.findall(mail.subject)}
    named = {m.upper() for m in _NAMED_ID.findall(mail.text[:2000]) if any(c.isdigit() for c in m)}
    return frozenset(references(mail.subject) | codes | named)


def gist(mail: Mail) -> str:
    return f"{mail.subject}. {' '.join(mail.text.split())[:GIST_CHARS]}"


def notifications(mails: Sequence[Mail]) -> dict[str, list[Mail]]:
    """Each sender's automatic notifications (not lists), oldest first."""
    senders: dict[str, list[Mail]] = defaultdict(list)
    for mail in sorted(mails, key=lambda m: (m.date, m.id)):
        if mail.bulk and not mail.list_id:
            senders[mail.from_addr].append(mail)
    return senders


def same_thing(older: Mail, newer: Mail, similarity: float) -> bool:
    """Are two notifications from one sender about the same thing (module docstring)?"""
    ids_old, ids_new = identifiers(older), identifiers(newer)
    if ids_old and ids_new:
        return bool(ids_old & ids_new)
    if subject_template(older.subject) == subject_template(newer.subject):
        return True
    return similarity >= SAME_THING and newer.date - older.date <= WINDOW_DAYS * 86400


async def superseded(mails: Sequence[Mail], embedder: Embedder | None) -> dict[int, Mail]:
    """Each superseded notification's id, and the newest one about the same thing; without an
    embedder, only identifiers and series count."""
    found: dict[int, Mail] = {}
    for group in notifications(mails).values():
        if len(group) < 2:
            continue
        near = await _similarities(group, embedder)
        for i, older in enumerate(group):
            newer = [group[j] for j in range(i + 1, len(group)) if same_thing(older, group[j], near[i, j])]
            if newer:
                found[older.id] = newer[-1]
    return found


async def _similarities(group: Sequence[Mail], embedder: Embedder | None) -> np.ndarray:
    if embedder is None:
        return np.zeros((len(group), len(group)), dtype=np.float32)
    vectors = await asyncio.to_thread(embedder.embed, [gist(m) for m in group])
    matrix = np.asarray(vectors, dtype=np.float32)
    return matrix @ matrix.T
