"""The web app when its server is killed mid-reply (SIGKILL): the reply is marked "cut off" and
the app says the connection was lost and tries to reconnect, and the conversation a restarted
server shows holds the part of the reply already streamed, marked interrupted.
A real ``os1 serve`` on the bundled model, driven by Debian's chromium."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx
import pytest

from os1.access import QUERY, local_key
from os1.testing.servers import free_port, os1_server
from tests.conftest import HANG_S
from tests.server.browser import chromium, phone, visible

pytestmark = pytest.mark.integration
LONG = {"OS1_LLM__MAX_TOKENS": "400", "OS1_LLM__TEMPERATURE": "0"}
STREAMING = ("() => Number(document.querySelector("
             "'#log .msg.os:not(.earlier)[data-state=streaming]')?.dataset.deltas) >= 2")
# every line the app shows in its notice, kept (a later one replaces it on screen)
WATCH_NOTICES = """() => {
  window.notices = [];
  const notice = document.getElementById('notice');
  new MutationObserver(() => window.notices.push(notice.textContent))
    .observe(notice, {childList: true, characterData: true, subtree: true});
}"""


def _onboarded(url: str, home: Path) -> int:
    """Onboard through the API (the browser then opens on the chat); the worker's pid."""
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {local_key(home)}"},
                      timeout=HANG_S) as client:
        done = client.post("/v1/onboarding", json={"answers": {"user_name": "Theodore"}})
        assert done.status_code == 200, done.text
        return int(client.get("/v1/health").json()["worker"].rsplit("-", 1)[1])


def test_a_reply_cut_off_by_a_killed_server_is_shown_kept_and_reconnected(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with chromium() as browser:
        with os1_server(home, free_port(), LONG) as base:
            pid = _onboarded(base, home)
            with phone(browser, f"{base}/login?{QUERY}={local_key(home)}") as page:
                visible(page, "chat")
                page.wait_for_selector("body[data-chat=open]")
                page.evaluate(WATCH_NOTICES)
                page.fill("#say", "Tell me a long story about a lighthouse keeper and the sea.")
                page.keyboard.press("Enter")
                page.wait_for_function(STREAMING)
                with page.expect_request(lambda r: "/v1/session" in r.url):  # it tries to reconnect
                    os.kill(pid, signal.SIGKILL)
                    page.wait_for_selector("#log .msg.os:not(.earlier) .tag >> text=cut off")
                assert page.locator("body[data-chat=closed]").count() == 1
                notices = page.evaluate("window.notices")
                assert any("cut off" in n for n in notices), notices
                shown = page.inner_text("#log .msg.os:not(.earlier) .text").strip()
        with os1_server(home, free_port(), LONG) as base, \
                phone(browser, f"{base}/login?{QUERY}={local_key(home)}") as page:
            kept = page.locator("#log .msg.os.earlier", has=page.locator(".tag >> text=interrupted"))
            kept.wait_for()
            words = kept.locator(".text").inner_text().strip()
    assert words and (shown.startswith(words) or words.startswith(shown)), (words, shown)
