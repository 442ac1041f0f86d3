"""Letters in the web app, end to end: a real ``os1 serve`` on the bundled model, driven by
Debian's chromium at phone size. A client's letter is drafted from its brief; a detail the
brief does not hold is flagged (by the code's check, on any model) and the letter is kept only
once it is gone; an inline edit becomes a second version; the handwritten PDF downloads.

Assertions are on structure (details, versions, files), never on the model's words."""

from __future__ import annotations

from pathlib import Path

import pytest

from os1.access import QUERY, local_key
from tests.server.browser import LOW_CONTRAST, chromium, phone, visible
from tests.server.test_browser import onboard, serve

pytestmark = pytest.mark.integration
EDIT = "Dear Ana,\n\nI still think of the bookshop in Gdansk where we met{extra}.\n\nLove,\nMarek\n"
FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"  # nothing wider than the phone


def test_a_letter_is_written_checked_kept_edited_and_downloaded(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with serve(home, "single") as base, chromium() as browser, phone(browser, base + "/") as page:
        page.goto(f"{base.rstrip('/')}/login?{QUERY}={local_key(home)}")
        onboard(page)
        page.click("nav a[data-route=letters]")
        visible(page, "letters")
        assert page.evaluate(FITS)

        page.fill("#letter-to", "Ana")
        page.check("#letter-for-client")
        page.fill("#letter-client", "Marek")
        page.fill("#letter-brief", "Married ten years\nMet at a bookshop in Gdansk")
        page.fill("#letter-occasion", "our anniversary")
        page.click("#letter-write")
        page.wait_for_selector("#letter-draft:not([hidden])", timeout=120_000)
        assert page.locator("#draft-details li").count() >= 1

        page.fill("#draft-text", EDIT.format(extra=" and our weekend in Porto"))
        page.click("#draft-check")
        flagged = page.locator("#draft-details .detail.flagged", has_text="Porto")
        flagged.wait_for()
        assert "not grounded" in flagged.inner_text()
        assert "brief" in page.locator("#draft-details .detail", has_text="Gdansk").inner_text()
        assert page.evaluate(LOW_CONTRAST) == []  # the flagged detail stands out, readably
        page.click("#draft-keep")  # not kept: the flagged detail is still there
        page.wait_for_selector("#notice.shown >> text=Not kept")
        assert page.locator("#letter-list li").count() == 0

        page.fill("#draft-text", EDIT.format(extra=""))
        page.click("#draft-keep")
        page.wait_for_selector("#letter-open:not([hidden])")
        assert page.locator("#letter-list li").count() == 1
        assert page.locator("#open-details .detail.flagged").count() == 0

        page.fill("#open-text", EDIT.format(extra=", ten years ago"))
        page.click("#open-save")
        page.wait_for_selector("#open-version option >> nth=1", state="attached")
        assert page.locator("#open-version option").count() == 2
        page.select_option("#open-version", "1")  # the first version is still there
        assert "ten years ago" not in page.input_value("#open-text")

        with page.expect_download() as downloading:
            page.click("#open-pdf")
        pdf = downloading.value
        assert pdf.suggested_filename == "letter-1-v2.pdf"
        assert Path(pdf.path()).read_bytes()[:5] == b"%PDF-"
        assert page.evaluate(FITS)
