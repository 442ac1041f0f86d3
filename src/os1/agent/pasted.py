"""What the user pasted, recognised for what it is before a turn keeps it: a post (Markdown with
front matter, or an HTML page) is shared as a post, and pictures written out as base64 are never
kept or read as words."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

_DATA_URL = re.compile(r"data:image/[\w.+-]{1,40};base64,[A-Za-z0-9+/=\s]{16,}", re.I)
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/=]{400,}")  # no words run this long without a space
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(\r?\n|\Z)", re.S)
_TITLE = re.compile(r"^title\s*:", re.M | re.I)


@dataclass(frozen=True)
class SharedPost:
    """What sharing a pasted post came to: what it was, in a few words, and what os1 said."""

    what: str
    said: str


SharePost = Callable[[str], Awaitable[SharedPost]]  # shares a pasted post (InputError if it is not one)


def is_post(text: str) -> bool:
    """Does ``text`` look like a post: YAML front matter with a title, or an HTML page?"""
    head = text.lstrip()[:512].lower()
    if head.startswith(("<!doctype html", "<html")):
        return True
    match = _FRONT_MATTER.match(text.lstrip())
    return match is not None and _TITLE.search(match.group(1)) is not None


def without_images(text: str) -> str:
    """``text`` with pictures and other data written out as base64 put as a short mark."""
    text = _DATA_URL.sub("[a picture]", text)
    return _BASE64_RUN.sub("[encoded data]", text)
