"""The book to a publisher: a mail to the address the user names with the book's PDF and EPUB
attached, shown whole and sent only on the user's yes (the mail commands' confirm-before-send
path). os1 suggests it when a book is made; it never sends on its own."""

from __future__ import annotations

import zipfile
from email.message import EmailMessage
from pathlib import Path

from os1.config import MailSettings
from os1.errors import InputError
from os1.mail.compose import compose

MAX_ATTACHMENT_BYTES = 20_000_000  # what most mail servers accept, with room for encoding
_KINDS = {"book.pdf": ("application", "pdf"), "book.epub": ("application", "epub+zip")}


def book_files(folder: Path) -> list[Path]:
    """The book's files in ``folder``, checked to be what their names say."""
    files = [folder / name for name in _KINDS if (folder / name).is_file()]
    if not files:
        raise InputError(f"no book in {folder}: make one with `os1 letters book -o {folder}`")
    for path in files:
        if path.stat().st_size > MAX_ATTACHMENT_BYTES:
            raise InputError(f"{path.name} is too big to mail ({path.stat().st_size:,} bytes)")
        if path.suffix == ".pdf" and not path.read_bytes()[:5] == b"%PDF-":
            raise InputError(f"{path.name} is not a PDF")
        if path.suffix == ".epub" and not zipfile.is_zipfile(path):
            raise InputError(f"{path.name} is not an EPUB")
    return files


def book_mail(settings: MailSettings, folder: Path, to: str, subject: str, body: str) -> EmailMessage:
    """The mail, with the book attached."""
    if "@" not in to or any(c in to for c in ",;\r\n"):
        raise InputError(f"{to!r} is not one mail address")
    msg = compose(settings, to, subject, body)
    for path in book_files(folder):
        kind, sub = _KINDS[path.name]
        msg.add_attachment(path.read_bytes(), maintype=kind, subtype=sub, filename=path.name)
    return msg


def book_preview(msg: EmailMessage) -> str:
    """The whole mail as the user confirms it: headers, text and every attachment."""
    head = "\n".join(f"{name}: {msg[name]}" for name in ("From", "To", "Subject") if msg[name])
    body = msg.get_body(preferencelist=("plain",))
    text = str(body.get_content()).rstrip() if isinstance(body, EmailMessage) else ""
    files = [f"  {part.get_filename()} ({len(part.get_payload(decode=True) or b''):,} bytes)"
             for part in msg.iter_attachments()]
    return f"{head}\n\n{text}\n\nAttached:\n" + "\n".join(files)
