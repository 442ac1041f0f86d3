"""The grounding check: invented names, places, dates, counts and events are flagged; the
brief's and the memories' own details are not, and each says where it was found."""

from __future__ import annotations

import pytest

from os1.letters.brief import Brief, Source
from os1.letters.grounding import check
from os1.proofing import known_word

BRIEF = Brief("Anna Kowalski", "Tom", "our 25th wedding anniversary", "tender",
              notes=("Married 25 years, since June 1999", "We met in Krakow at a jazz concert",
                     "Our daughter Maja was born on 3 March 2003", "Honeymoon in Lisbon"))
MEMORY = Source("memory 42", "The user's wife Anna loves the sea at Sopot; they went there every August.")
SOURCES = [*BRIEF.sources(), MEMORY]


def flagged(text: str) -> list[str]:
    return [d.text for d in check(text, SOURCES, known_word()).flagged]


def test_the_briefs_own_details_are_grounded_and_say_where() -> None:
    letter = ("Dear Anna,\n\nTwenty-five years ago, in June 1999, I married you. I still think of "
              "Krakow and that jazz concert, of our honeymoon in Lisbon, of Maja born on 3 March "
              "2003, and of every August at Sopot.\n\nWith love,\nTom\n")
    result = check(letter, SOURCES, known_word())
    assert result.flagged == []
    where = {d.text: d.sources for d in result.details}
    assert "memory 42" in where["Sopot"]
    assert any(ref.startswith("brief") for ref in where["Lisbon"])
    assert {"June 1999", "3 March 2003", "Krakow", "Maja"} <= set(where)


@pytest.mark.parametrize(("sentence", "invented"), [
    ("I remember our walk with Pedro by the river.", "Pedro"),
    ("Remember the week we spent in Paris?", "Paris"),
    ("On 14 July 2001 you laughed so hard.", "14 July 2001"),
    ("Since May 2010 things have changed.", "May 2010"),
    ("We adopted three dogs together.", "three dogs"),
    ("That summer of 1987 was ours.", "1987"),
    ("I think of our road trip every day.", "road trip"),
    ("Say hello to Mr Henderson for me.", "Henderson"),
    ("We danced at the Blue Note in New York.", "Blue Note"),
    ("Dinner on Friday at Chez Marcel.", "Friday"),
])
def test_invented_details_are_flagged(sentence: str, invented: str) -> None:
    letter = f"Dear Anna,\n\n{sentence} I love you.\n\nWith love,\nTom\n"
    assert invented in flagged(letter)


@pytest.mark.parametrize("sentence", [
    "Remember how happy we were. Thank you for everything.",
    "Happy anniversary, my love! I could not have asked for more.",
    "When I think of you, I smile. Always.",
    "Anna's laugh still fills the house.",
    "In March, 2003, Maja arrived and nothing was the same.",
    "Our wedding day is still the best day of my life.",
    "I am grateful, every single day, for you.",
])
def test_ordinary_words_are_not_flagged(sentence: str) -> None:
    letter = f"Dear Anna,\n\n{sentence}\n\nYours always,\nTom\n"
    assert flagged(letter) == []


def test_dates_compare_by_the_parts_they_name() -> None:
    sources = [Source("brief: note 1", "We met on 3 June 2010.")]
    assert check("It was June 3rd.", sources).flagged == []
    assert check("It was in 2010.", sources).flagged == []
    assert check("It was 2010-06-03.", sources).flagged == []
    assert [d.text for d in check("It was June 4th.", sources).flagged] == ["June 4th"]
    assert [d.text for d in check("It was in 2011.", sources).flagged] == ["2011"]


def test_an_ordinal_occasion_grounds_the_years() -> None:
    sources = [Source("brief: occasion", "her 90th birthday")]
    assert check("Ninety years young! 90 years of you.", sources).flagged == []
    assert [d.text for d in check("For 80 years.", sources).flagged] == ["80 years"]


def test_works_without_a_dictionary() -> None:
    letter = "Dear Anna,\n\nRemember Krakow? And Pedro, who sang in Madrid.\n\nLove,\nTom"
    assert sorted(d.text for d in check(letter, SOURCES, None).flagged) == ["Madrid", "Pedro"]


def test_digits_that_are_no_number_are_words() -> None:
    """A superscript two counts as a digit to Python but is no number: read as a word, never a crash."""
    sources = [*SOURCES, Source("brief: note 9", "Our flat was 60 m\u00b2 and 2\u00b2 rooms \u00b2")]
    found = check("We loved 60 m\u00b2 and Sopot \u00b2.", sources, known_word())
    assert "Sopot" not in [d.text for d in found.flagged]
