"""Letters the user wrote, read from files (plain text, Markdown, .docx, .eml) to learn their
voice. Each file is outside content: it is read as text and never followed. A file that is too
big, binary, malformed or not in English is refused with one line naming it."""

from __future__ import annotations

import email
import email.policy
import io
import re
import zipfile
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from os1.errors import InputError
from os1.letters.grounding import COMMON

MAX_FILE_BYTES = 2_000_000  # a letter, even a .docx with a picture in it, is far smaller
MAX_LETTER_CHARS = 100_000
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*|[^\W\d_]+")


@dataclass(frozen=True)
class Imported:
    name: str
    text: str


def _decode(data: bytes, name: str) -> str:
    if b"\x00" in data:
        raise InputError(f"{name}: not a text file (it holds NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (byte 0x{data[exc.start]:02x} at {exc.start})") from None


def _docx(data: bytes, name: str) -> str:
    import docx  # python-docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"{name}: not a readable .docx file ({exc})") from None
    return "\n".join(p.text for p in document.paragraphs)


def _eml(data: bytes, name: str) -> str:
    from os1.outside import html_to_text

    message = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(message, EmailMessage):
        raise InputError(f"{name}: not a mail message")
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None or not isinstance(body, EmailMessage):
        raise InputError(f"{name}: the mail has no text")
    text = body.get_content()
    return html_to_text(text) if body.get_content_type() == "text/html" else str(text)


def _english(text: str, name: str) -> None:
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) >= 12 and sum(w in COMMON for w in words) / len(words) < 0.12:
        raise InputError(f"{name}: this does not read as English; the voice is learnt from English letters")


def read_letter(path: Path) -> Imported:
    """One letter's text from ``path``, or one InputError naming the file."""
    name = path.name
    try:
        size = path.stat().st_size
        _fits(name, size)
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{name}: cannot read it ({exc.strerror})") from None
    return read_upload(name, data)


def _fits(name: str, size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise InputError(f"{name}: too big for a letter ({size:,} bytes; the limit is {MAX_FILE_BYTES:,})")


def read_upload(name: str, data: bytes) -> Imported:
    """One letter's text from a file's bytes (a file read here, or one sent to the server),
    its kind told by ``name``'s suffix; or one InputError naming it."""
    _fits(name, len(data))
    suffix = Path(name).suffix.lower()
    if suffix == ".docx":
        text = _docx(data, name)
    elif suffix == ".eml":
        text = _eml(data, name)
    else:
        text = _decode(data, name)
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise InputError(f"{name}: empty; nothing to learn from")
    if len(text) > MAX_LETTER_CHARS:
        raise InputError(f"{name}: too long for a letter ({len(text):,} characters)")
    _english(text, name)
    return Imported(name, text)


def read_letters(paths: list[Path]) -> list[Imported]:
    """Every file read before any is kept, so one bad file keeps none and loses nothing."""
    if not paths:
        raise InputError("name the letters to import: os1 letters import FILE...")
    return [read_letter(p) for p in paths]
