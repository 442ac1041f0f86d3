"""Outgoing mail: compose replies and new messages, show them whole, and send over SMTP.

A reply goes to the original sender's From address. A Reply-To that points elsewhere is shown in
the preview but never followed on its own: redirecting replies is a classic hijack.
"""

from __future__ import annotations

import email.utils
import ssl
from email.message import EmailMessage

import aiosmtplib

from os1.config import MailSettings
from os1.errors import ConfigError, ToolFailed
from os1.mail.index import Mail


def _new(settings: MailSettings, to: str, subject: str, body: str) -> EmailMessage:
    if not settings.address:
        raise ConfigError("set mail.address to send mail (see docs/mail.md)")
    msg = EmailMessage()
    msg["From"] = settings.address
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg["Message-ID"] = email.utils.make_msgid(domain=settings.address.rpartition("@")[2] or None)
    msg.set_content(body.strip() + "\n")
    return msg


def compose(settings: MailSettings, to: str, subject: str, body: str) -> EmailMessage:
    return _new(settings, to, subject, body)


def compose_reply(settings: MailSettings, original: Mail, body: str) -> EmailMessage:
    subject = original.subject if original.subject.lower().startswith("re:") else f"Re: {original.subject}"
    msg = _new(settings, original.from_addr, subject, body)
    msg["In-Reply-To"] = original.message_id
    refs = " ".join(dict.fromkeys(filter(None, (original.thread, original.message_id))))
    msg["References"] = refs
    return msg


def preview(msg: EmailMessage, note: str = "") -> str:
    """The whole message as the user will confirm it: every header that matters and the body."""
    lines = [f"{name}: {msg[name]}" for name in ("From", "To", "Cc", "Subject", "In-Reply-To") if msg[name]]
    body = msg.get_content() if not msg.is_multipart() else ""
    text = "\n".join(lines) + "\n\n" + str(body).rstrip()
    return f"{text}\n\n({note})" if note else text


async def send(settings: MailSettings, msg: EmailMessage) -> str:
    """Send over SMTP; failures become one-line ``ToolFailed``s without the password."""
    if not settings.smtp_host or (settings.smtp_login and settings.password is None):
        raise ConfigError("set mail.smtp_host and mail.password to send mail (or mail.smtp_login = false "
                          "for a server that takes mail without a login; see docs/mail.md)")
    login = settings.smtp_login and settings.password is not None
    try:
        await aiosmtplib.send(
            msg, hostname=settings.smtp_host, port=settings.smtp_port,
            username=settings.login if login else None,
            password=settings.password.get_secret_value() if login and settings.password else None,
            use_tls=settings.smtp_security == "ssl",
            start_tls=settings.smtp_security == "starttls", timeout=settings.timeout_s,
            tls_context=ssl.create_default_context() if settings.smtp_security != "none" else None)
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise ToolFailed(f"cannot send through {settings.smtp_host}: {exc}") from exc
    return f"sent to {msg['To']}"
