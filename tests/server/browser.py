"""Browser test helpers: Debian's chromium driven by Playwright (headless; never a downloaded
browser), a phone-sized page on the app, and a fake microphone. A missing chromium fails with how
to install it, like the other real servers in ``os1.testing.servers``."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from playwright.sync_api import Browser, Page, sync_playwright

from os1.testing.servers import ServerMissing
from os1.voice.audio import silence, write_wav
from os1.voice.tts import EspeakTTS

CHROMIUM = "/usr/bin/chromium"


@contextmanager
def chromium(extra_args: Sequence[str] = ()) -> Iterator[Browser]:
    """Debian's chromium, headless, through Playwright's driver."""
    if not Path(CHROMIUM).exists():
        raise ServerMissing("the browser tests need Debian's chromium: apt-get install chromium"
                            " (scripts/test installs it when run as root)")
    args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", *extra_args]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def phone(browser: Browser, url: str, **options: Any) -> Iterator[Page]:
    """A page the size of a phone, on the app, failing the test on any script error; ``options``
    go to the browser context (a ``timezone_id``, say)."""
    context = browser.new_context(viewport={"width": 390, "height": 800}, is_mobile=True, has_touch=True,
                                  **options)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(60_000)
    try:
        page.goto(url)
        page.wait_for_selector("body[data-ready=true]")
        yield page
    except BaseException:
        keep_screenshot(page)
        raise
    finally:
        context.close()
    assert not errors, f"script errors in the page: {errors}"


# where a failing browser test leaves a screenshot of its page (scripts/test keeps the folder)
ARTEFACTS = Path(os.environ.get("OS1_TEST_ARTEFACTS", Path(__file__).resolve().parents[2] / "test-artefacts"))


def keep_screenshot(page: Page) -> None:
    """The page as it was when the test failed, named after the test and the window's size."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "browser").split(" ")[0]
    size = page.viewport_size or {"width": 0, "height": 0}
    name = re.sub(r"[^\w.-]+", "_", test) + f"-{size['width']}x{size['height']}.png"
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(Exception):  # a page that is gone has no picture; the failure stands
        page.screenshot(path=str(ARTEFACTS / name), full_page=True)


def fake_microphone(path: Path, words: str) -> list[str]:
    """Chromium flags whose microphone says ``words`` once (espeak-ng), then stays silent."""
    write_wav(path, np.concatenate([silence(0.8), EspeakTTS().synthesize(words), silence(3.0)]))
    return ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={path}%noloop"]


def visible(page: Page, screen: str) -> None:
    """Wait until the app shows ``screen`` (login, welcome, chat, memories, settings)."""
    page.wait_for_selector(f"section[data-screen={screen}]:not([hidden])")


# Records, for the newest reply, its state and text length at every change to the log.
WATCH_REPLY = """() => {
  window.replyGrowth = [];
  new MutationObserver(() => {
    const replies = document.querySelectorAll('#log .msg.os');
    const last = replies[replies.length - 1];
    if (!last) return;
    window.replyGrowth.push([last.dataset.state || '', last.querySelector('.text').textContent.length]);
  }).observe(document.getElementById('log'),
             {subtree: true, childList: true, characterData: true, attributes: true});
}"""



# the evaluated script (tests/server/contrast.js): a list of what falls below WCAG AA
LOW_CONTRAST = (Path(__file__).parent / "contrast.js").read_text()


# the newest line of the conversation is above the composer, not under it
CLEAR = """() => document.getElementById('log').lastElementChild.getBoundingClientRect().bottom
               <= document.getElementById('composer').getBoundingClientRect().top + 1"""
SETTLED = "(id) => getComputedStyle(document.getElementById(id)).opacity === '1'"  # faded in
DESKTOP = {"width": 1280, "height": 800}


def at_desktop_size(page: Page) -> None:
    """The same page in a desktop window: every screen within it, at AA, the chat's end in view."""
    page.set_viewport_size(DESKTOP)
    for screen in ("settings", "memories", "chat"):
        page.click(f"nav a[data-route={screen}]")
        visible(page, screen)
        page.wait_for_function(SETTLED, arg=f"screen-{screen}")
        assert page.evaluate(LOW_CONTRAST) == [], screen
        assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"], screen
    page.wait_for_function(CLEAR)
