"""Briefs: fields and notes from a file, and bad briefs refused in one line."""

from __future__ import annotations

import pytest

from os1.errors import InputError
from os1.letters.brief import make_brief, parse_brief


def test_fields_and_notes() -> None:
    fields = parse_brief("# For Ana\nTo: Ana\nClient: Marek\nOccasion: anniversary\n\n- Met in Gdansk\n"
                         "2. Married in 2015\nTone: tender\n")
    assert fields["to"] == "Ana" and fields["client"] == "Marek" and fields["tone"] == "tender"
    assert fields["notes"] == ["For Ana", "Met in Gdansk", "Married in 2015"]
    # a second To: line is a note, not a new recipient
    assert parse_brief("To: Ana\nTo: Eve\n")["notes"] == ["To: Eve"]


@pytest.mark.parametrize(("text", "words"), [
    ("", "empty"), ("\n \n", "empty"), ("Tone: warm\n", "empty"),
    ("To: Ana\x00", "NUL"), ("x" * 30_000, "too long"),
])
def test_bad_briefs(text: str, words: str) -> None:
    with pytest.raises(InputError, match=words):
        parse_brief(text)


def test_a_brief_needs_a_recipient_and_a_sender() -> None:
    with pytest.raises(InputError, match="whom is the letter to"):
        make_brief("", "Theo")
    with pytest.raises(InputError, match="whom is the letter from"):
        make_brief("Ana", "  ")
    with pytest.raises(InputError, match="too long"):
        make_brief("Ana " * 100, "Theo")
    assert make_brief("  Ana   Kowalski ", "Theo").to == "Ana Kowalski"
