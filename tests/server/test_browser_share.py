"""Sharing from the web app, end to end: a real ``os1 serve`` on the bundled model, driven by
Debian's chromium at phone size, then at desktop size. A picture attached, pasted and dropped
each gets a preview and os1's words, and is kept in Memories with its picture; the seed post
pasted as text (11 KB with an inline image) is shared as a post, and nothing of its base64 is
kept as words.

Assertions are on structure (previews, moments, pictures), never on the model's words."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page

from os1.access import QUERY, local_key
from tests.server.browser import CLEAR, LOW_CONTRAST, SETTLED, at_desktop_size, chromium, phone, visible
from tests.server.test_browser import onboard, serve

pytestmark = pytest.mark.integration
SEED_POST = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "her-post-a.md"

# hands the page a picture as a File in a DataTransfer, pasted into the box or dropped on the chat
GIVE = """([how, data]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], `${how}.png`, { type: "image/png" }));
  if (how === "paste") {
    document.getElementById("say").dispatchEvent(
      new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true }));
  } else {
    const chat = document.getElementById("screen-chat");
    const options = { dataTransfer: transfer, bubbles: true, cancelable: true };
    chat.dispatchEvent(new DragEvent("dragover", options));
    chat.dispatchEvent(new DragEvent("drop", options));
  }
}"""




def picture(path: Path, colour: tuple[int, int, int]) -> Path:
    Image.new("RGB", (96, 64), colour).save(path, "PNG")
    return path


def png64(colour: tuple[int, int, int]) -> str:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), colour).save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def shared_and_answered(page: Page, count: int) -> None:
    """The ``count``-th shared thing shows a preview, then os1's words about it."""
    page.wait_for_selector(f"#log .msg.user.sharing >> nth={count - 1}")
    page.wait_for_selector(f"#log .msg.os[data-moment-id][data-state=done] >> nth={count - 1}",
                           timeout=120_000)


def test_pictures_and_a_pasted_post_are_shared_from_the_web_app(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with serve(home, "single") as base, chromium() as browser, phone(browser, base + "/") as page:
        page.goto(f"{base.rstrip('/')}/login?{QUERY}={local_key(home)}")
        onboard(page)
        camera = page.locator("#camera-file")
        assert camera.get_attribute("capture") and camera.get_attribute("accept") == "image/*"

        page.fill("#say", "the sea at dusk")  # words beside a picture go with it
        page.set_input_files("#attach-file", str(picture(tmp_path / "sea.png", (40, 90, 160))))
        shared_and_answered(page, 1)
        assert page.locator("#log .msg.user.sharing img.preview").count() == 1
        assert page.input_value("#say") == ""
        with page.expect_file_chooser() as chooser:  # the terminal's /share opens the picker here
            page.fill("#say", "/share")
            page.keyboard.press("Enter")
        assert not chooser.value.element.get_attribute("capture") and page.input_value("#say") == ""
        assert page.locator("#log .msg.user", has_text="/share").count() == 0  # not sent as words
        page.evaluate(GIVE, ["paste", png64((200, 60, 50))])
        shared_and_answered(page, 2)
        page.evaluate(GIVE, ["drop", png64((60, 200, 90))])
        shared_and_answered(page, 3)
        assert page.locator("#log .msg.user.sharing img.preview").count() == 3

        page.fill("#say", SEED_POST.read_text())
        page.keyboard.press("Enter")
        reply = "#log .msg.os:not(.earlier):not([data-moment-id])"
        page.wait_for_selector(f"{reply}[data-state=done]", timeout=120_000)
        assert page.locator(f"{reply} .text").last.inner_text().strip()
        page.wait_for_function(CLEAR)

        assert page.evaluate(LOW_CONTRAST) == []  # the conversation, replies and shared pictures
        page.reload()
        visible(page, "chat")
        page.wait_for_selector("#log .msg.earlier")
        page.wait_for_function(CLEAR)
        assert "base64" not in page.inner_text("#log")  # the post is not kept as words
        page.click("nav a[data-route=memories]")
        visible(page, "memories")
        page.wait_for_selector("#memory-list li.memory img.picture")
        pictures = page.locator("#memory-list li.memory img.picture")
        assert pictures.count() >= 4  # three pictures and the post's own
        page.wait_for_function("""() => [...document.querySelectorAll('#memory-list img.picture')]
                                  .every((img) => img.complete && img.naturalWidth > 0)""")
        page.wait_for_function(SETTLED, arg="screen-memories")
        assert page.evaluate(LOW_CONTRAST) == []
        page.click("nav a[data-route=settings]")
        visible(page, "settings")
        page.wait_for_function(SETTLED, arg="screen-settings")
        page.wait_for_selector("#voice-list li button.play")  # the voices, each with its sample
        assert page.evaluate(LOW_CONTRAST) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing runs off a phone
        at_desktop_size(page)

