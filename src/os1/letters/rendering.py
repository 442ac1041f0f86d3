"""A letter as a file: plain text, Markdown, or a PDF that looks handwritten (Typst, with a
handwriting font from Debian's font packages on a page ruled like letter paper). The letter's
words reach Typst as an input string, never as markup, so nothing in them can run."""

from __future__ import annotations

import time
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

from os1.errors import ConfigError
from os1.letters.keeping import Letter

Format = Literal["txt", "md", "pdf"]
# Debian's handwriting fonts (fonts-dancingscript, fonts-dkg-handwriting), best first
HANDWRITING = {"Dancing Script": Path("/usr/share/fonts/opentype/dancingscript"),
               "DkgHandwriting": Path("/usr/share/fonts/truetype/fifthhorseman")}


def template(name: str) -> bytes:
    return files("os1.letters").joinpath("templates", name).read_bytes()


def handwriting() -> tuple[str, list[str]]:
    """The first handwriting font installed, and the folders Typst should look in."""
    for family, folder in HANDWRITING.items():
        if folder.is_dir():
            return family, [str(folder)]
    raise ConfigError("no handwriting font: install Debian's fonts-dancingscript (apt-get install "
                      "fonts-dancingscript) or export as txt or md")


def typeset(source: bytes, inputs: dict[str, str], font_paths: list[str]) -> bytes:
    """PDF bytes from a Typst source and its string inputs."""
    import typst

    compile_: Any = typst.compile  # its stub ties the source and font paths to one type
    try:
        pdf = compile_(source, font_paths=font_paths, sys_inputs=inputs)
    except RuntimeError as exc:  # typst reports source and font errors this way
        raise ConfigError(f"typesetting failed: {str(exc).splitlines()[0]}") from None
    assert isinstance(pdf, bytes)
    return pdf


def render(letter: Letter, fmt: Format) -> bytes:
    """The letter's latest version in ``fmt``."""
    date = time.strftime("%-d %B %Y", time.localtime(letter.latest.created_at))
    if fmt == "txt":
        return letter.text.encode()
    if fmt == "md":
        b = letter.brief
        head = f"# To {b.to}" + (f", {b.occasion}" if b.occasion else "")
        return f"{head}\n\n*{date}*\n\n{letter.text.replace(chr(10), '  ' + chr(10))}".encode()
    family, paths = handwriting()
    return typeset(template("letter.typ"), {"body": letter.text.strip(), "font": family, "date": date,
                                            "title": f"To {letter.brief.to}"}, paths)
