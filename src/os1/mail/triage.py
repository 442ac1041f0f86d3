"""What's new, what needs a reply, what can wait: decided from headers and words, no model."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from os1.mail.index import Mail

_ASKS = re.compile(r"\?|\b(please|could you|can you|would you|let me know|rsvp|are you|do you|"
                   r"will you|need your|waiting for your|get back to me)\b", re.I)


@dataclass
class Triage:
    new: list[Mail] = field(default_factory=list)
    needs_reply: list[Mail] = field(default_factory=list)
    can_wait: list[Mail] = field(default_factory=list)
    # notifications made out of date by a newer one about the same thing, with that one
    superseded: list[tuple[Mail, Mail]] = field(default_factory=list)


def needs_reply(mail: Mail, me: str, latest_in_thread: Mail) -> bool:
    """A person (not a list or robot) wrote to the user, asked something, and the thread's last
    word is not the user's and was not answered."""
    if mail.bulk or mail.from_addr == me or "\\Answered" in mail.flags:
        return False
    if latest_in_thread.from_addr == me:
        return False
    return bool(_ASKS.search(mail.subject + " " + mail.text[:2000]))


def triage(mails: Sequence[Mail], me: str, latest: dict[str, Mail],
           superseded: Mapping[int, Mail] | None = None) -> Triage:
    """Sort ``mails``; a notification in ``superseded`` (its id: the newer one) is listed
    apart, with the one that replaces it."""
    out = Triage()
    newer = superseded or {}
    for mail in mails:
        if mail.id in newer:
            out.superseded.append((mail, newer[mail.id]))
        elif needs_reply(mail, me.lower(), latest.get(mail.thread, mail)):
            out.needs_reply.append(mail)
        elif not mail.seen and not mail.bulk:
            out.new.append(mail)
        else:
            out.can_wait.append(mail)
    return out
