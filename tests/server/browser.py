"""Browser test helpers: Debian's chromium driven by Playwright (headless; never a downloaded
browser), a phone-sized page on the app, and a fake microphone. A missing chromium fails with how
to install it, like the other real servers in ``os1.testing.servers``."""

from __future__ import annotations

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
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]")
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"script errors in the page: {errors}"


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
