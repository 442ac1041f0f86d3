"""The book: chosen by stated criteria, private and flagged letters out unless included, typeset
as a PDF whose text reads back and an EPUB that passes Debian's epubcheck."""

from __future__ import annotations

import time
from pathlib import Path

from os1.letters import book
from os1.letters.brief import Brief
from os1.letters.grounding import Detail, Grounding
from os1.letters.keeping import Letter, Version
from tests.letters.checks import epubcheck, pdf_text

BODY = ("Dear {to},\n\nThank you for the years of kindness. " + "I think of you often. " * 20
        + "\n\nWith love,\nTheo")


def letter(i: int, to: str, occasion: str, *, client: str | None = "Marek", private: bool = False,
           favourite: bool = False, flagged: bool = False) -> Letter:
    grounding = Grounding((Detail("Paris", "place", 0, 5, ()),) if flagged else ())
    version = Version(1, BODY.format(to=to), grounding, "drafted", time.time() + i)
    return Letter(i, Brief(to, "Theo", occasion, client=client), private, favourite, time.time() + i,
                  (version,))


LETTERS = [letter(1, "Ana", "birthday"), letter(2, "Ana", "birthday", favourite=True),
           letter(3, "Ben", "thanks"), letter(4, "Cleo", "wedding", private=True),
           letter(5, "Dan", "farewell", flagged=True), letter(6, "Eve", "birthday", client="Other")]


def test_choice_follows_the_criteria() -> None:
    chosen = book.choose(LETTERS, book.Criteria(size=3, client="Marek"))
    assert [x.id for x in chosen.letters] == [1, 2, 3]
    assert "favourite" in chosen.reasons[2]
    assert [x.id for x in book.choose(LETTERS, book.Criteria(size=2, client="Marek")).letters] == [2, 3]
    everyone = book.choose(LETTERS, book.Criteria(size=10, include=(4,), exclude=(1,)))
    assert [x.id for x in everyone.letters] == [2, 3, 4, 6]  # private 4 only because included


def test_the_pdf_reads_back(tmp_path: Path) -> None:
    chosen = book.choose(LETTERS, book.Criteria(client="Marek"))
    (tmp_path / "book.pdf").write_bytes(book.pdf(chosen, "Letters", "A selection", "Theo", "A foreword."))
    text = pdf_text(tmp_path / "book.pdf")
    assert "Contents" in text and "To Ana, birthday" in text and "To Ben, thanks" in text
    assert "Cleo" not in text and "Dan" not in text


def test_the_epub_passes_epubcheck(tmp_path: Path) -> None:
    chosen = book.choose(LETTERS, book.Criteria(client="Marek"))
    book.epub(chosen, "Letters <&>", "A selection", "Theo", "A foreword.\n\nTwo.", tmp_path / "book.epub")
    epubcheck(tmp_path / "book.epub")


def test_control_characters_never_break_the_epub(tmp_path: Path) -> None:
    """A title or a letter with characters XML cannot hold is typeset without them."""
    odd = [letter(7, "Ana\x00", "birth\x1fday", client=None)]
    chosen = book.choose(odd, book.Criteria())
    book.epub(chosen, "Let\x00ters", "A\x0b selection", "Theo\x07", "Fore\x01word.", tmp_path / "book.epub")
    epubcheck(tmp_path / "book.epub")


async def test_a_capable_models_reading_counts_and_its_failures_do_not() -> None:
    from os1.testing import ScriptedLLM

    model = ScriptedLLM('{"score": 1}', '{"score": 5}', '{"score": 9}')
    criteria = book.Criteria(size=1, client="Marek", favourite=0.0)
    read = await book.readings(model, LETTERS, criteria)
    assert read == {1: 1.0, 2: 5.0}  # letter 3's reading was out of range; only Marek's were read
    assert model.history[0][0][1].content.startswith("<letter>")
    assert [x.id for x in book.choose(LETTERS, criteria, read).letters] == [2]
    assert "read as 5/5" in book.choose(LETTERS, criteria, read).reasons[2]
