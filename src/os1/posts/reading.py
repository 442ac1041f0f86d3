"""Posts and pages the user shares: Markdown with YAML front matter (Jekyll, Hugo and the like)
and HTML pages, read into a ``Post`` with its inline images decoded and checked.

Everything in a post is data from outside. It is parsed with ``python-frontmatter`` (PyYAML's
safe loader) and BeautifulSoup, never evaluated, and whatever it says is kept as what the user
shared, never as instructions. Any part that cannot be read (malformed front matter, broken
base64, a file too large, binary or not UTF-8) refuses the whole post with one clear line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from bs4 import BeautifulSoup
from bs4.element import Tag
from frontmatter.default_handlers import YAMLHandler

from os1.errors import InputError
from os1.vision.images import ImageBytes, decode_data_url

MAX_POST_BYTES = 16 * 1024 * 1024
MAX_IMAGES = 12
MAX_FIELD_CHARS = 300
MAX_TEXT_CHARS = 8000
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*(data:[^)\s]+)\s*\)")
_MD_MARKUP = re.compile(r"!\[[^\]]*\]\([^)]*\)|<[^>]{1,200}>|[*_`#>]+")


@dataclass(frozen=True)
class Post:
    """What the user shared: the film or subject, what they wrote, and its pictures."""

    title: str
    text: str
    images: tuple[ImageBytes, ...] = ()
    director: str | None = None
    year: int | None = None
    author: str | None = None
    source: str = ""

    @property
    def is_film(self) -> bool:
        return self.director is not None

    @property
    def key(self) -> str:
        """Identity: two posts about the same film (or titled and dated alike) are one."""
        parts = (self.title, self.director or self.author or "", str(self.year or ""))
        return "post:" + "|".join(_normal(p) for p in parts)


def read_post(path: Path) -> Post:
    """Read a Markdown or HTML post from ``path``."""
    try:
        if path.stat().st_size > MAX_POST_BYTES:
            raise InputError(f"{path} is too large to share ({path.stat().st_size:,} bytes;"
                             f" the limit is {MAX_POST_BYTES:,})")
        raw = path.read_bytes()
    except IsADirectoryError:
        raise InputError(f"{path} is a directory, not a post") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    return parse_post(raw, path.name)


def parse_post(raw: bytes, name: str) -> Post:
    """A post from its bytes; ``name`` says where it came from (and whether it is HTML)."""
    text = _text(raw, name)
    head = text.lstrip()[:512].lower()
    if name.lower().endswith((".html", ".htm")) or head.startswith(("<!doctype html", "<html")):
        return _html_post(text, name)
    return _markdown_post(text, name)


def _text(raw: bytes, name: str) -> str:
    if b"\x00" in raw:
        raise InputError(f"{name} is binary, not a post (Markdown or HTML)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at {exc.start})") from None
    if not text.strip():
        raise InputError(f"{name} is empty")
    return text


def _markdown_post(text: str, name: str) -> Post:
    meta, body = _front_matter(text, name)
    images = [decode_data_url(v, f"{name}: front matter '{k}'") for k, v in meta.items()
              if isinstance(v, str) and v.strip().lower().startswith("data:")]
    for number, match in enumerate(_MD_IMAGE.finditer(body), 1):
        images.append(decode_data_url(match.group(2), f"{name}: inline image {number}"))
    words = _clean(_MD_MARKUP.sub(" ", body))
    title = _field(meta.get("title")) or _first_heading(body)
    return _post(title, words, images, meta, name)


def _front_matter(text: str, name: str) -> tuple[dict[str, Any], str]:
    """The YAML front matter as a mapping and the body after it."""
    if not text.startswith("---"):
        return {}, text
    handler = YAMLHandler()
    try:
        raw_meta, body = handler.split(text)
    except ValueError:
        raise InputError(f"{name}: the front matter is not closed by a '---' line") from None
    try:
        meta = yaml.safe_load(raw_meta)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 2})" if where is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise InputError(f"{name}: malformed front matter{line}: {problem}") from None
    if meta is None:
        return {}, body
    if not isinstance(meta, dict):
        raise InputError(f"{name}: the front matter is not a set of 'key: value' lines")
    return {str(k): v for k, v in meta.items()}, body


def _html_post(text: str, name: str) -> Post:
    soup = BeautifulSoup(text, "html.parser")
    meta = {str(tag.get("property") or tag.get("name") or "").lower(): str(tag.get("content") or "")
            for tag in soup.find_all("meta") if isinstance(tag, Tag)}
    sources = [str(img.get("src") or "") for img in soup.find_all("img") if isinstance(img, Tag)]
    sources.append(meta.get("og:image", ""))
    images = [decode_data_url(src, f"{name}: image {n}")
              for n, src in enumerate((s for s in sources if s.strip().lower().startswith("data:")), 1)]
    for tag in soup(["script", "style", "noscript", "template", "head", "nav", "footer", "form"]):
        tag.decompose()
    main = soup.find("article") or soup.find("main") or soup.body or soup
    heading = soup.find("h1")
    title = (_field(meta.get("og:title")) or _field(meta.get("title"))
             or (_field(heading.get_text(" ")) if heading else None)
             or (_field(soup.title.get_text(" ")) if soup.title else None))
    fields = {"director": meta.get("director") or meta.get("video:director"),
              "year": meta.get("year"), "author": meta.get("author")}
    return _post(title, _clean(main.get_text(" ")), images, fields, name)


def _post(title: str | None, text: str, images: list[ImageBytes], meta: dict[str, Any],
          name: str) -> Post:
    if not title:
        raise InputError(f"{name} has no title (front matter 'title', a heading, or <title>)")
    if len(images) > MAX_IMAGES:
        raise InputError(f"{name} has too many inline images ({len(images)}; the limit is {MAX_IMAGES})")
    unique = tuple({image.hash: image for image in images}.values())
    return Post(title=title, text=text[:MAX_TEXT_CHARS], images=unique,
                director=_field(meta.get("director")), year=_year(meta.get("year"), name),
                author=_field(meta.get("author")), source=name)


def _field(value: object) -> str | None:
    """A short one-line text field from outside, or None."""
    if value is None or isinstance(value, dict | list):
        return None
    text = _clean(str(value))[:MAX_FIELD_CHARS]
    return text or None


def _year(value: object, name: str) -> int | None:
    if value is None or value == "":
        return None
    match = re.fullmatch(r"\s*(\d{4})(?:-\d\d-\d\d)?\s*", str(value))
    if match is None or not 1850 <= int(match.group(1)) <= 2200:
        raise InputError(f"{name}: the year {str(value)[:20]!r} is not a year")
    return int(match.group(1))


def _first_heading(body: str) -> str | None:
    match = re.search(r"^#{1,3}\s+(.+)$", body, re.M)
    return _field(match.group(1)) if match else None


def _clean(text: str) -> str:
    """Printable text with runs of white space made single (control characters dropped)."""
    kept = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in text)
    return " ".join(kept.split())


def _normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold()))
