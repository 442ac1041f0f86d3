"""A letter asked for in the web app's Talk view, end to end: a real ``os1 serve`` on the
bundled model, driven by Debian's chromium at phone size. The draft appears in the conversation
with its details; nothing is kept until "Keep it" (and, for a draft with details not grounded,
"Keep it anyway"); then it is in the Letters view. Assertions are on structure, never on the
model's words."""

from __future__ import annotations

from pathlib import Path

import pytest

from os1.access import QUERY, local_key
from tests.server.browser import chromium, phone, visible
from tests.server.test_browser import onboard, serve

pytestmark = pytest.mark.integration
KEPT = "() => fetch('/v1/letters').then((r) => r.json()).then((j) => j.letters.length)"
TO_THE_END = "() => window.scrollTo(0, document.scrollingElement.scrollHeight)"  # above the composer


def test_a_letter_asked_for_in_the_chat_is_shown_and_kept_on_yes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with serve(home, "single") as base, chromium() as browser, phone(browser, base + "/") as page:
        page.goto(f"{base.rstrip('/')}/login?{QUERY}={local_key(home)}")
        onboard(page)
        page.wait_for_selector("body[data-chat=open]")
        page.fill("#say", "write a letter to Ana for her birthday")
        page.keyboard.press("Enter")
        card = page.locator("#log .msg.letter")
        card.wait_for(timeout=120_000)
        assert card.locator(".letter-text").inner_text().startswith("Dear Ana,")
        assert card.locator(".details li").count() >= 1  # each detail, or that there are none
        page.wait_for_selector("#log .msg.os[data-state=done] >> text=Shall I keep it?")
        assert page.evaluate(KEPT) == 0  # shown, not kept

        flagged = card.locator(".detail.flagged").count()
        page.evaluate(TO_THE_END)
        card.locator("button.primary").click()
        if flagged:  # the first yes does not keep invented details: it asks again, plainly
            card.locator("button.primary", has_text="Keep it anyway").wait_for()
            assert page.evaluate(KEPT) == 0
            page.evaluate(TO_THE_END)
            card.locator("button.primary").click()
        card.locator("a[href='#/letters']").wait_for()
        assert page.evaluate(KEPT) == 1
        page.evaluate(TO_THE_END)
        card.locator("a[href='#/letters']").click()
        visible(page, "letters")
        page.wait_for_selector("#letter-list li")
        assert page.locator("#letter-list li").count() == 1
