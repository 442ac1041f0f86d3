"""`mail show` names what a person checks: Date, To, Reply-To, attachments, an invitation, and
why a broken mail has no body (parsing and the text on their own; the CLI tests cover the wiring)."""

from __future__ import annotations

from email.message import EmailMessage

from os1.cli.mail_cmd import message_text
from os1.mail.index import MailIndex
from os1.mail.parse import parse
from tests.mail.conftest import mail

INVITE = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:launch-1@example.com\r\n"
          "DTSTART:20300115T100000Z\r\nDTEND:20300115T110000Z\r\nSUMMARY:Launch call\r\nEND:VEVENT\r\n"
          "END:VCALENDAR\r\n")


def stored(raw: bytes):  # type: ignore[no-untyped-def]
    index = MailIndex()
    index.add("INBOX", 1, [(1, (), parse(raw), 0)])
    [found] = index.messages()
    return found


def test_show_lists_headers_attachments_and_an_invitation() -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Ana <ana@example.org>", "me@example.org", "Launch"
    msg["Date"], msg["Reply-To"] = "Tue, 15 Jan 2030 09:00:00 +0000", "desk@elsewhere.example"
    msg.set_content("Slides attached; the invitation too.")
    msg.add_attachment(b"%PDF-1.4" + b"x" * 3000, maintype="application", subtype="pdf",
                       filename="slides.pdf")
    msg.add_attachment(INVITE.encode(), maintype="text", subtype="calendar", filename="invite.ics")
    shown = stored(bytes(msg))
    assert "Launch call" in shown.invite
    text = message_text(shown)
    assert "To: me@example.org" in text and "Date: Tue 15 Jan 2030" in text
    assert "Reply-To: desk@elsewhere.example (not the sender" in text
    assert "Attachment: slides.pdf (application/pdf, 3 KB)" in text
    assert "Attachment: invite.ics (text/calendar" in text


def test_a_broken_mail_without_a_date_says_so() -> None:
    raw = (b"From: x@example.org\r\nSubject: broken\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: image/png\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\n!!!notbase64\r\n")  # no closing boundary
    text = message_text(stored(raw))
    assert "Date: unknown (the mail has no valid Date)" in text
    assert "(no body shown: the message is malformed (" in text
    plain = message_text(stored(mail("a@example.org", "hi", "hello there")))
    assert plain.endswith("hello there") and "no body shown" not in plain
