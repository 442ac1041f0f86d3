"""Playing together in the web app, end to end: a real ``os1 serve`` with the real cave and
Stockfish, driven by Debian's chromium at phone size. A few moves of the adventure, a suggestion
and os1's own turn; bad input is one line and the game stays as it was; then one chess move by
tapping the SVG board, and os1's remark beside it. The Play view's microphone (chromium's fake
one says "take the lamp") plays the game: the spoken move is in the Play log with its answer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page

from os1.access import QUERY, local_key
from tests.server.browser import LOW_CONTRAST, chromium, fake_microphone, phone, visible
from tests.server.test_browser import onboard, serve

HAVE_STOCKFISH = bool(shutil.which("stockfish") or shutil.which("stockfish", path="/usr/games"))
pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(not HAVE_STOCKFISH, reason="needs Debian's stockfish (scripts/test)")]
ENTRIES = "#play-log .play-entry"


def play_line(page: Page, line: str) -> str:
    """Type ``line`` at the game; the text of what came back once the page is no longer busy."""
    before = page.locator(ENTRIES).count()
    page.fill("#play-input", line)
    page.press("#play-input", "Enter")
    page.wait_for_function("(n) => document.querySelectorAll('#play-log .play-entry').length > n + 1"
                           " && document.getElementById('screen-play').dataset.busy === 'false'", arg=before)
    texts = page.locator(ENTRIES).all_inner_texts()
    return "\n".join(texts[before + 1:])


def tap(page: Page, square: str) -> None:
    """A tap on a square of the board (the piece drawn over it takes the tap, as on a phone)."""
    box = page.locator(f"#play-board rect.square.{square}").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_a_few_cave_moves_and_a_chess_move_on_the_svg_board(tmp_path: Path) -> None:
    home = tmp_path / "home"
    mic = fake_microphone(tmp_path / "lamp.wav", "Take the lamp.")
    with serve(home, "single") as base, chromium(mic) as browser, phone(browser, base + "/") as page:
        page.goto(f"{base.rstrip('/')}/login?{QUERY}={local_key(home)}")
        onboard(page)
        page.click("nav a[data-route=play]")
        visible(page, "play")
        page.check("#play-new")
        page.click("#play-adventure")
        page.wait_for_selector("#play-table:not([hidden])")
        assert "WELCOME TO ADVENTURE" in page.inner_text("#play-log")

        assert "ROAD" in play_line(page, "no")
        assert "BUILDING" in play_line(page, "east")
        page.click("button[data-line='what should I do?']")
        page.wait_for_selector(f"{ENTRIES}.os:has-text('take keys')")
        page.click("button[data-line='you go']")
        page.wait_for_selector(f"{ENTRIES}.move:has-text('take keys')")
        before = page.locator(ENTRIES).count()
        page.click("#play-mic")  # the same voice as the chat's mic, at the game shown
        page.wait_for_function("(n) => [...document.querySelectorAll('#play-log .play-entry')].slice(n)"
                               ".some((e) => e.classList.contains('game'))", arg=before, timeout=60_000)
        spoken = page.locator(ENTRIES).all_inner_texts()[before:]
        # said, played, answered in the log (a recogniser's "ramp" is taken for the cave's "lamp")
        assert "OK" in spoken and "lamp" in " ".join(spoken).lower()
        assert page.locator("#play-mic[aria-pressed=true]").count() == 1
        page.click("#play-mic")
        page.wait_for_selector("#play-mic[data-state=idle]")
        assert "LANTERN" in play_line(page, "inventory")  # the move by voice was the game's
        screen = page.inner_text("#play-log")
        refused = play_line(page, "x" * 300)
        assert "too long" in refused and refused.count("\n") == 0  # one line, nothing played
        assert page.inner_text("#play-log").startswith(screen)
        assert "OK" not in refused
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing runs off a phone
        assert page.evaluate(LOW_CONTRAST) == []

        page.click("#play-leave")
        page.wait_for_selector("#play-choose:not([hidden])")
        page.fill("#play-elo", "1350")
        page.click("#play-chess")
        page.wait_for_selector("#play-board svg rect.square.e2")
        board = page.inner_html("#play-board")
        illegal = play_line(page, "Ke9")
        assert "not a move here" in illegal and page.inner_html("#play-board") == board
        tap(page, "e2")
        page.wait_for_selector("#play-board rect.square.e2.picked")
        before = page.locator(ENTRIES).count()
        tap(page, "e4")
        page.wait_for_function("(n) => document.querySelectorAll('#play-log .play-entry.os').length > 0"
                               " && document.querySelectorAll('#play-log .play-entry').length > n",
                               arg=before)
        page.wait_for_selector("#screen-play[data-busy=false]")
        remark = page.locator(f"{ENTRIES}.os").last.inner_text()
        assert remark.startswith("e4") and "Stockfish plays" in page.inner_text("#play-log")
        assert page.locator("#play-board svg .lastmove").count() == 2  # the engine's reply marked
        width = page.evaluate("document.querySelector('#play-board svg').getBoundingClientRect().width")
        assert 200 <= width <= 390
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
