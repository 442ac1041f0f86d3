"""The readable archive: one ``index.html`` a person can open in any browser with no os1 (the
farewell letter, conversations, what os1 learned, moments with their pictures, pieces, letters,
the journal, the persona's versions), pictures and pieces' files beside it. Every text is escaped:
the page runs no script and loads nothing from the network."""

from __future__ import annotations

import html
import mimetypes
from datetime import datetime
from pathlib import Path

from os1.files import private_dir, write_private
from os1.goodbye.keepsakes import Keepsakes
from os1.memory.moments import named_files

STYLE = ("body{font:16px/1.5 Georgia,serif;max-width:46em;margin:2em auto;padding:0 1em;color:#222}"
         "h1,h2{color:#c4543f}.who{font-weight:bold}.when{color:#888;font-size:.85em}"
         "img{max-width:100%}section{margin-bottom:2.5em}pre{white-space:pre-wrap;font:inherit}")


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts).astimezone().strftime("%Y-%m-%d %H:%M")


def _e(text: object) -> str:
    return html.escape(str(text))


def image_name(digest: str, mime: str) -> str:
    return digest + (mimetypes.guess_extension(mime) or ".bin")


def write_archive(k: Keepsakes, letter: str, folder: Path, music: Path | None) -> Path:
    """Write the archive into ``folder`` (made 0700); the path of its ``index.html``."""
    private_dir(folder / "images")
    for digest, (mime, data) in k.images.items():
        write_private(folder / "images" / image_name(digest, mime), data)
    body = [_section("A letter", f"<pre>{_e(letter)}</pre>"), _conversations(k), _facts(k),
            _moments(k, folder, music), _letters(k), _journal(k), _persona(k)]
    page = (f"<!doctype html><html lang=en><meta charset=utf-8><title>{_e(k.os_name)} and "
            f"{_e(k.user_name)}</title><meta http-equiv=Content-Security-Policy content=\"default-src "
            f"'none'; img-src 'self'; style-src 'unsafe-inline'; media-src 'self'\"><style>{STYLE}</style>"
            f"<h1>{_e(k.os_name)} and {_e(k.user_name)}</h1>" + "".join(body) + "</html>\n")
    index = folder / "index.html"
    write_private(index, page)
    return index


def _section(title: str, inner: str) -> str:
    return f"<section><h2>{_e(title)}</h2>{inner}</section>"


def _conversations(k: Keepsakes) -> str:
    parts = []
    for session, turns in sorted(k.conversations().items()):
        lines = "".join(f"<p><span class=who>{_e(k.user_name if t.role == 'user' else k.os_name)}:</span> "
                        f"{_e(t.text)} <span class=when>{_when(t.created_at)}</span></p>" for t in turns)
        parts.append(f"<h3>Conversation {session or ''} <span class=when>{_when(turns[0].created_at)}"
                     f"</span></h3>{lines}")
    return _section("Our conversations", "".join(parts) or "<p>None.</p>")


def _facts(k: Keepsakes) -> str:
    items = "".join(f"<li>{_e(f.text)} <span class=when>{_when(f.created_at)}</span></li>" for f in k.facts())
    return _section("What I learned about you", f"<ul>{items}</ul>" if items else "<p>Nothing yet.</p>")


def _moments(k: Keepsakes, folder: Path, music: Path | None) -> str:
    parts = []
    for m in k.moments.values():
        if m.kind == "journal":
            continue
        pics = "".join(f"<img alt='' src='images/{image_name(h, k.images[h][0])}'>" for h in m.images
                       if h in k.images)
        files = []
        for name, path in named_files(m.data, music).items():
            if path.is_file():
                private_dir(folder / "pieces")
                write_private(folder / "pieces" / path.name, path.read_bytes())
                files.append(f"<a href='pieces/{_e(path.name)}'>{_e(name)}</a>")
        parts.append(f"<h3>{_e(m.data.get('title') or m.kind)} <span class=when>{_when(m.item.created_at)}"
                     f"</span></h3><p>{_e(m.item.text)}</p>{pics}<p>{' '.join(files)}</p>")
    return _section("Moments and pieces", "".join(parts) or "<p>None.</p>")


def _letters(k: Keepsakes) -> str:
    parts = [f"<h3>To {_e(x.brief.to_dict().get('to') or '')} <span class=when>{_e(x.when)}</span></h3>"
             f"<pre>{_e(x.text)}</pre>" for x in k.letters]
    return _section("Letters", "".join(parts) or "<p>None.</p>")


def _journal(k: Keepsakes) -> str:
    parts = [f"<p>{_e(m.item.text)} <span class=when>{_when(m.item.created_at)}</span></p>"
             for m in k.of_kind("journal")]
    return _section(f"{k.os_name}'s journal", "".join(parts) or "<p>Empty.</p>")


def _persona(k: Keepsakes) -> str:
    parts = [f"<h3>Version {v.number}: {_e(v.why)}</h3><pre>{_e(v.doc.text())}</pre>" for v in k.versions]
    return _section(f"Who {k.os_name} was", "".join(parts))
