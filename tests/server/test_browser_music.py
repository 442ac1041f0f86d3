"""A piece of music in the web app, on a real ``os1 serve`` and Debian's chromium, in a desktop
window (onboarding at that size too): ``/compose`` typed in the chat composes a piece, the chat
shows a player whose audio loads from the person's own music, and Memories plays it again."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.server.browser import DESKTOP, LOW_CONTRAST, SETTLED, chromium, phone, visible
from tests.server.test_browser import onboard, serve

pytestmark = pytest.mark.integration

# the player's audio: its status and type fetched as the page would, and whether it decoded
LOADED = """async (audio) => {
  const reply = await fetch(audio.currentSrc || audio.src);
  return [reply.status, reply.headers.get("content-type"), audio.duration];
}"""


def player_loads(page: Page, where: str) -> None:
    audio = page.locator(f"{where} figure.piece audio").first
    audio.wait_for()
    page.wait_for_function("(a) => a.readyState >= 1 && a.duration > 0", arg=audio.element_handle())
    status, kind, seconds = audio.evaluate(LOADED)
    assert status == 200 and kind == "audio/wav" and seconds > 1, (status, kind, seconds)
    assert audio.get_attribute("aria-label")  # says what it plays


def test_a_piece_composed_in_the_chat_plays_there_and_in_memories(tmp_path: Path) -> None:
    with serve(tmp_path / "home", "multi") as base, chromium() as browser, \
            phone(browser, base + "/") as page:
        page.set_viewport_size(DESKTOP)
        visible(page, "login")
        page.click("#to-register")
        page.fill("#login-username", "theodore")
        page.fill("#login-password", "catherine-and-the-ocean")
        page.click("#login-submit")
        visible(page, "welcome")  # onboarding in a desktop window: within it, at AA
        page.wait_for_function(SETTLED, arg="screen-welcome")
        assert page.evaluate(LOW_CONTRAST) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
        onboard(page)

        page.wait_for_selector("body[data-chat=open]")
        page.fill("#say", "/compose")
        page.keyboard.press("Enter")
        page.wait_for_selector("#log .msg.os:not(.earlier)[data-state=done] figure.piece", timeout=60_000)
        player_loads(page, "#log .msg.os")
        midi = page.locator("#log .msg.os figure.piece a.midi").first.get_attribute("href") or ""
        assert page.evaluate("(u) => fetch(u).then((r) => r.status)", midi) == 200
        assert page.evaluate(LOW_CONTRAST) == []  # the player and its link too

        page.click("nav a[data-route=memories]")
        visible(page, "memories")
        player_loads(page, "#memory-list li.memory")
        page.wait_for_function(SETTLED, arg="screen-memories")
        assert page.evaluate(LOW_CONTRAST) == []
