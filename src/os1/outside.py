"""Outside content: text that came from outside os1 and the user (mail, invitations, contacts,
web pages, shared posts), and what every sense and skill that reads it shares.

- ``html_to_text`` and ``clean_text``: only what a reader would see. The mail's own stylesheets
  (``<style>`` rules by class, id or any selector) are first applied onto each element by
  ``css-inline`` (a CSS engine; remote stylesheets are never loaded). HTML is then parsed with
  BeautifulSoup: comments, scripts, styles, and elements hidden by attribute or style
  (``display:none``, ``visibility:hidden``, zero size, zero opacity, tiny text, white,
  transparent or same-as-background text, off-screen positions) are dropped; images are
  never fetched; links are shown by their host, never followed. Invisible format characters
  (zero-width, bidi controls, Unicode tag characters, variation selectors) are removed from every
  piece of outside text.
- ``Outside``: the result a tool returns when it carries outside content.
- ``from_outside``: which stored memories are outside content.

What outside content may cause is decided by the guard (``os1.safety``), which reads these values;
nothing here imports it, so a skill can mark outside text without depending on the guard.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import css_inline
from bs4 import BeautifulSoup, Comment, Tag

_DROP_TAGS = ("script", "style", "head", "title", "meta", "link", "template", "noscript", "svg",
              "iframe", "object", "embed", "frame", "frameset", "applet", "form", "input", "button")
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*(hidden|collapse)|opacity\s*:\s*0(\.0+)?\s*(;|$)"
    r"|font-size\s*:\s*(0|[0-2](\.\d+)?\s*(px|pt)|0?\.[0-4]\d*\s*r?em)\b"
    r"|(max-)?height\s*:\s*0|(max-)?width\s*:\s*0"
    r"|(?<![-\w])color\s*:\s*(transparent|#fff\b|#ffffff\b|white\b|rgba?\([^)]*,\s*0\s*\))"
    r"|text-indent\s*:\s*-\d{3,}|(left|top|margin(-left|-top)?)\s*:\s*-\d{3,}"
    r"|translate[xy]?\(\s*-\d{3,}|clip\s*:\s*rect\(0", re.I)
_COLOUR = re.compile(r"(?:^|;)\s*(?P<prop>color|background(?:-color)?)\s*:\s*(?P<value>[^;!]+)", re.I)
# the mail's own <style> rules onto each element; remote stylesheets are never loaded
_INLINER = css_inline.CSSInliner(keep_style_tags=False, keep_link_tags=False,
                                 load_remote_stylesheets=False)
_KEEP_CONTROLS = {"\n", "\t"}
_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")
_SPACES = re.compile(r"[ \t\u00a0]+")


def _invisible(ch: str) -> bool:
    """Format (Cf: zero-width, bidi, tags), control, private-use and variation-selector code
    points: none of them shows to a reader, all of them can hide instructions."""
    if ch in _KEEP_CONTROLS:
        return False
    cat = unicodedata.category(ch)
    code = ord(ch)
    return (cat in ("Cf", "Cc", "Co", "Cs") or 0xFE00 <= code <= 0xFE0F
            or 0xE0100 <= code <= 0xE01EF or code in (0x115F, 0x1160, 0x3164, 0xFFA0))


def clean_text(text: str) -> str:
    """Outside plain text without invisible characters, with runs of blank space collapsed."""
    text = unicodedata.normalize("NFKC", text.replace("\r\n", "\n"))
    text = "".join(ch for ch in text if not _invisible(ch))
    text = _SPACES.sub(" ", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def _hidden(tag: Tag) -> bool:
    if tag.has_attr("hidden") or str(tag.get("aria-hidden", "")).lower() == "true":
        return True
    style = str(tag.get("style", ""))
    return bool(_HIDDEN_STYLE.search(style)) or _same_colour(style)


def _same_colour(style: str) -> bool:
    """Text drawn in the colour of its own background (the last value of each wins)."""
    found = {m["prop"].lower().removesuffix("-color"): m["value"].strip().lower()
             for m in _COLOUR.finditer(style)}
    return "color" in found and found["color"] == found.get("background")


def _with_stylesheets(html: str) -> str:
    """The HTML with its ``<style>`` rules written onto the elements they select, so hiding by
    class, id or selector is seen like an inline style; unchanged when it has none or the CSS
    engine cannot read it (the style blocks are dropped later all the same)."""
    if "<style" not in html.lower():
        return html
    try:
        return str(_INLINER.inline(html))
    except (ValueError, css_inline.InlineError):
        return html


def html_to_text(html: str) -> str:
    """What a person would see of an HTML mail, as plain text; nothing is fetched."""
    soup = BeautifulSoup(_with_stylesheets(html), "html.parser")
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if isinstance(tag, Tag) and not tag.decomposed and _hidden(tag):
            tag.decompose()
    for img in soup.find_all("img"):
        img.replace_with("[image]")  # never fetched; alt text can carry hidden instructions
    for link in soup.find_all("a"):
        host = urlsplit(str(link.get("href", ""))).hostname if isinstance(link, Tag) else None
        link.append(f" [link to {host}]" if host else "")
    for br in soup.find_all(["br", "p", "div", "tr", "li", "h1", "h2", "h3", "table"]):
        br.insert_before("\n")
    return clean_text(soup.get_text())


@dataclass(frozen=True)
class Outside:
    """A tool result carrying outside content: ``(source, text)`` pieces plus os1's own note.
    The guard marks the turn as having read it and shows it to the model spotlighted."""

    items: tuple[tuple[str, str], ...]
    note: str = ""

    def plain(self) -> str:
        return "\n\n".join([self.note, *(f"[{src}]\n{clean_text(text)}" for src, text in self.items)]).strip()


# the user's own words: what they said, and facts drawn from it (by rule, by the model from their
# words, or noted with ``remember``, which waits for their yes in a tainted turn)
OWN_PROVENANCES = frozenset({"user", "inferred"})


class Stored(Protocol):
    """What ``from_outside`` reads of a stored memory (``os1.memory.base.MemoryItem``)."""

    @property
    def kind(self) -> str: ...

    @property
    def provenance(self) -> str: ...


def from_outside(item: Stored) -> bool:
    """Whether a stored memory carries outside content: anything but the user's own words and
    os1's own replies (an ``assistant`` utterance; a reply written after reading outside content
    is stored as ``external``). An ``assistant`` fact, such as a piece composed about a shared
    post, quotes what was shared, so it is outside content too."""
    if item.provenance in OWN_PROVENANCES:
        return False
    return not (item.provenance == "assistant" and item.kind == "utterance")
