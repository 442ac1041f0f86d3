"""The rule that the journal never quotes outside content."""

from __future__ import annotations

from os1.inner.verbatim import Outside


def test_a_run_of_six_words_from_outside_is_a_quotation() -> None:
    outside = Outside(["Your invoice 4471 is overdue since the third of March, pay now."])
    assert outside.quotes("they said: your invoice 4471 is overdue since the third")
    assert outside.quotes("INVOICE 4471 is OVERDUE since... the")  # case and punctuation ignored
    assert not outside.quotes("you have an overdue invoice to pay")
    lines = ["a bill is overdue", "invoice 4471 is overdue since the third"]
    assert outside.keep(lines) == ["a bill is overdue"]
