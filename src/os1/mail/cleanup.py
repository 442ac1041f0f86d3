"""Clean-up proposals: exact and near duplicates, superseded notifications, stale newsletters.

Nothing is decided by a model and nothing is deleted: each proposed message names its reason and
a target (Trash or Archive); flagged mail and personal mail that is not a duplicate are never
proposed.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

from os1.mail.index import Mail
from os1.mail.similar import base_subject, distance, resemblance

NEAR = 6  # SimHash bits that may differ between near duplicates (same sender and subject too)
RESEMBLANCE = 0.7  # or this share of word 3-grams in common
STALE_DAYS = 30


@dataclass(frozen=True)
class Proposal:
    id: int
    folder: str
    uid: int
    message_id: str
    target: str  # trash | archive
    reason: str
    sender: str
    subject: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _item(mail: Mail, target: str, reason: str) -> Proposal:
    return Proposal(mail.id, mail.folder, mail.uid, mail.message_id, target, reason, mail.sender,
                    mail.subject)


def _duplicates(mails: Sequence[Mail]) -> dict[int, Proposal]:
    found: dict[int, Proposal] = {}
    exact: dict[tuple[str, ...], Mail] = {}
    for mail in sorted(mails, key=lambda m: (m.date, m.id)):
        # a reused Message-ID with other content is not a duplicate (nor a reason to drop the original)
        keys = [("mid", mail.message_id, mail.body_hash),
                ("body", mail.from_addr, base_subject(mail.subject), mail.body_hash)]
        first = next((exact[k] for k in keys if k in exact), None)
        if first is not None:
            found[mail.id] = _item(mail, "trash", f"exact duplicate of #{first.id}")
        for k in keys:
            exact.setdefault(k, mail)
    groups: dict[tuple[str, str], list[Mail]] = defaultdict(list)
    for mail in mails:
        if mail.id not in found:
            groups[(mail.from_addr, base_subject(mail.subject))].append(mail)
    for group in groups.values():
        newest_first = sorted(group, key=lambda m: (m.date, m.id), reverse=True)
        for i, older in enumerate(newest_first):
            newer = next((n for n in newest_first[:i] if _near(n, older)), None)
            if newer is not None:
                found[older.id] = _item(older, "trash", f"near duplicate of #{newer.id} (newer)")
    return found


def _near(a: Mail, b: Mail) -> bool:
    return distance(a.simhash, b.simhash) <= NEAR or resemblance(a.text, b.text) >= RESEMBLANCE


def _superseded(mails: Sequence[Mail], taken: dict[int, Proposal],
                 newer: Mapping[int, Mail]) -> dict[int, Proposal]:
    """Older notifications made out of date by a newer one about the same thing
    (``os1.mail.superseded``: "has shipped" is superseded by "has been delivered")."""
    return {m.id: _item(m, "trash", f"superseded by the newer notification #{newer[m.id].id}")
            for m in mails if m.id in newer and m.id not in taken}


def _stale(mails: Sequence[Mail], taken: dict[int, Proposal], now: float) -> dict[int, Proposal]:
    cutoff = now - STALE_DAYS * 86400
    return {m.id: _item(m, "archive", f"newsletter older than {STALE_DAYS} days")
            for m in mails if m.bulk and m.list_id and m.date < cutoff and m.id not in taken}


def propose(mails: Sequence[Mail], now: float | None = None,
            superseded: Mapping[int, Mail] | None = None) -> list[Proposal]:
    """Clean-up proposals for ``mails``; ``superseded`` maps each superseded notification's id
    to the newer one (``os1.mail.superseded.superseded``)."""
    candidates = [m for m in mails if "\\Flagged" not in m.flags]
    found = _duplicates(candidates)
    found |= _superseded(candidates, found, superseded or {})
    found |= _stale(candidates, found, now or time.time())
    return sorted(found.values(), key=lambda p: p.id)
