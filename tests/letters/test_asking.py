from __future__ import annotations

import pytest

from os1.letters.asking import LetterAsk, letter_request


@pytest.mark.parametrize(("text", "to", "occasion"), [
    ("write a letter to Ana for her birthday", "Ana", "her birthday"),
    ("Could you write a letter to Ana Kowalski about our tenth anniversary?", "Ana Kowalski",
     "our tenth anniversary"),
    ("help me write a thank-you letter to my sister Maja", "Maja", ""),
    ("Please draft a short note to Ben, to say thank you.", "Ben", "thank you"),
    ("write a letter to my mother for Mother's Day", "my mother", "Mother's Day"),
])
def test_letter_requests(text: str, to: str, occasion: str) -> None:
    assert letter_request(text) == LetterAsk(to, occasion)


@pytest.mark.parametrize("text", ["I wrote a letter to Ana yesterday", "write me a song for Ana",
                                  "what letter did you write?", "letters are lovely",
                                  "can you tell me about Ana?"])
def test_not_letter_requests(text: str) -> None:
    assert letter_request(text) is None
