"""A raw message as the facts os1 indexes: headers decoded, the body as plain visible text.

HTML bodies go through ``html_to_text`` (hidden parts dropped, nothing fetched); every text is
cleaned of invisible characters before it is stored, so the index never holds hidden content.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import hashlib
import re
from dataclasses import dataclass
from email.message import EmailMessage

from os1.outside import clean_text, html_to_text

_AUTO_SENDER = re.compile(r"^(no-?reply|do-?not-?reply|notifications?|alerts?|mailer-daemon|updates?|"
                          r"news(letter)?|info|support|billing|accounts?)[@+.-]", re.I)
MAX_BODY = 20_000


MAX_INVITE = 100_000


@dataclass(frozen=True)
class Attachment:
    name: str
    type: str
    size: int  # bytes, decoded

    def line(self) -> str:
        return f"{self.name or '(unnamed)'} ({self.type}, {_size(self.size)})"


def _size(n: int) -> str:
    return f"{n} B" if n < 1024 else f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1048576:.1f} MB"


@dataclass(frozen=True)
class Parsed:
    message_id: str
    in_reply_to: str
    references: tuple[str, ...]
    from_addr: str
    from_name: str
    reply_to: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    date: float
    text: str
    list_id: str
    bulk: bool  # a list, a newsletter or an automatic notification
    body_hash: str
    attachments: tuple[Attachment, ...] = ()
    invite: str = ""  # a text/calendar part (an invitation), as iCalendar text
    problem: str = ""  # why no body could be read, when none could

    @property
    def thread_key(self) -> str:
        return self.references[0] if self.references else (self.in_reply_to or self.message_id)


def _header(msg: EmailMessage, name: str) -> str:
    try:
        value = msg.get(name)
    except (ValueError, IndexError, TypeError):  # a malformed header is treated as absent
        return ""
    return clean_text(str(value)) if value is not None else ""


def _addresses(msg: EmailMessage, name: str) -> list[tuple[str, str]]:
    return [(clean_text(n), a.lower()) for n, a in email.utils.getaddresses([_header(msg, name)]) if a]


def _body(msg: EmailMessage) -> str:
    try:
        part = msg.get_body(preferencelist=("plain", "html"))
        if part is None:
            return ""
        content = part.get_content()
    except (LookupError, ValueError, AttributeError):
        payload = msg.get_payload(decode=True)
        return clean_text(payload.decode("utf-8", "replace")) if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    return html_to_text(content) if part.get_content_type() == "text/html" else clean_text(content)


def _attachments(msg: EmailMessage) -> tuple[Attachment, ...]:
    found = []
    try:
        for part in msg.iter_attachments():
            payload = part.get_payload(decode=True)
            name = clean_text(str(part.get_filename() or ""))
            found.append(Attachment(name, part.get_content_type(),
                                    len(payload) if isinstance(payload, bytes) else 0))
    except (LookupError, ValueError, AttributeError, TypeError):  # broken MIME: what was read
        pass
    return tuple(found)


def _invite(msg: EmailMessage) -> str:
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and len(payload) <= MAX_INVITE:
                return payload.decode("utf-8", "replace")
    return ""


def _problem(msg: EmailMessage, text: str) -> str:
    if text.strip():
        return ""
    if msg.defects or any(p.defects for p in msg.walk()):
        names = sorted({type(d).__name__ for p in msg.walk() for d in p.defects} |
                       {type(d).__name__ for d in msg.defects})
        return f"the message is malformed ({', '.join(names)}); no readable text"
    return "the message has no text part" if msg.is_multipart() else "the message is empty"


def _date(msg: EmailMessage) -> float:
    try:
        parsed = email.utils.parsedate_to_datetime(_header(msg, "Date"))
        return parsed.timestamp()
    except (TypeError, ValueError, IndexError):
        return 0.0


def parse(raw: bytes) -> Parsed:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    sender = (_addresses(msg, "From") or [("", "")])[0]
    reply_to = (_addresses(msg, "Reply-To") or [("", "")])[0][1]
    text = _body(msg)[:MAX_BODY]
    list_id = _header(msg, "List-Id")
    bulk = bool(list_id or _header(msg, "List-Unsubscribe") or _AUTO_SENDER.match(sender[1])
                or _header(msg, "Precedence").lower() in ("bulk", "list", "junk")
                or _header(msg, "Auto-Submitted").lower().startswith("auto"))
    return Parsed(
        message_id=_header(msg, "Message-ID") or f"<{hashlib.sha1(raw).hexdigest()}@os1.local>",
        in_reply_to=_header(msg, "In-Reply-To"),
        references=tuple(_header(msg, "References").split()),
        from_addr=sender[1], from_name=sender[0], reply_to=reply_to,
        to=tuple(a for _, a in _addresses(msg, "To")), cc=tuple(a for _, a in _addresses(msg, "Cc")),
        subject=_header(msg, "Subject"), date=_date(msg), text=text, list_id=list_id, bulk=bulk,
        body_hash=hashlib.sha256(" ".join(text.split()).encode()).hexdigest(),
        attachments=_attachments(msg), invite=_invite(msg), problem=_problem(msg, text))
