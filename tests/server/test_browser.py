"""The web app end to end: a real ``os1 serve`` on the bundled model, driven by Debian's chromium.

Assertions are on structure (screens, streamed deltas, list items), never on the model's words."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, WebSocket

from os1.access import QUERY, local_key
from os1.testing.servers import free_port, os1_server
from tests.server.browser import WATCH_REPLY, at_desktop_size, chromium, fake_microphone, phone, visible

pytestmark = pytest.mark.integration
FAST = {"OS1_LLM__MAX_TOKENS": "48"}  # short replies keep the bundled model quick


def serve(home: Path, mode: str) -> contextlib.AbstractContextManager[str]:
    """``os1 serve`` on the bundled model in ``mode``; its base URL, ending in a slash."""
    return os1_server(home, free_port(), FAST, ("--mode", mode))


def onboard(page: Page) -> str:
    visible(page, "welcome")
    page.fill("#answer-user_name", "Theodore")
    page.fill("#answer-on_mind", "Letters, and the ocean.")
    page.click("#welcome-submit")
    page.wait_for_selector("#welcome-meet:not([hidden])")
    name = page.inner_text("#welcome-name").strip()
    assert name and page.inner_text("#brand-name").strip() == name
    page.click("#welcome-go")
    visible(page, "chat")
    return name


def chat_and_watch_the_reply_stream(page: Page, text: str) -> None:
    frames: list[dict[str, Any]] = []

    def on_socket(ws: WebSocket) -> None:
        if "/v1/chat/ws?ticket=" in ws.url:
            ws.on("framereceived", lambda payload: frames.append(json.loads(payload)))

    page.on("websocket", on_socket)
    page.reload()  # the chat socket opens again, now watched
    page.wait_for_selector("body[data-chat=open]")
    page.evaluate(WATCH_REPLY)
    page.fill("#say", text)
    page.keyboard.press("Enter")
    page.wait_for_selector("#log .msg.user >> text=" + text)
    page.wait_for_selector("#log .msg.os:not(.earlier)[data-state=done]", timeout=90_000)

    kinds = [frame["type"] for frame in frames]
    assert "done" in kinds, kinds
    assert kinds.count("delta") >= 2 and kinds.index("delta") < kinds.index("done"), kinds
    growth: list[list[Any]] = page.evaluate("window.replyGrowth")
    streaming = [length for state, length in growth if state == "streaming"]
    assert len(set(streaming)) >= 2, growth  # the words appeared in pieces, before the end
    final = page.inner_text("#log .msg.os:not(.earlier)[data-state=done] .text")
    assert final.strip() and len(final) >= max(streaming)


def forget(page: Page, said: str) -> None:
    page.click("nav a[data-route=memories]")
    visible(page, "memories")
    item = page.locator("#memory-list li.memory", has_text=said).first
    item.wait_for()
    memory_id = item.get_attribute("data-id")
    item.locator("button.edit").click()  # edited in place first: the field, then the new words shown
    assert page.evaluate("document.activeElement.id") == f"edit-{memory_id}"
    page.fill(f"#edit-{memory_id}", f"{said} Truly.")
    page.click("#memory-list form button[type=submit]")
    page.wait_for_selector(f"#memory-list li[data-id='{memory_id}'] .text >> text=Truly.")
    assert page.locator("#memory-list form").count() == 0
    assert said in (item.locator("button.forget").get_attribute("aria-label") or "")  # names its memory
    item.locator("button.forget").click()
    page.wait_for_selector("dialog#confirm[open]")
    page.click("#confirm-yes")
    gone = f"#memory-list li[data-id='{memory_id}']"
    page.wait_for_selector(gone, state="detached")
    page.reload()  # really gone, not just hidden
    visible(page, "memories")
    page.wait_for_selector("#memory-list li.memory")
    assert page.locator(gone).count() == 0


def bring_in_an_export(page: Page) -> None:
    """On the memories page, a file from ``os1 memory export`` is brought into the account: a
    sentence, a fact drawn from another, and a reply that repeats the fact."""
    lines = [{"format": "os1-memory", "version": 2, "user": "default", "profile": {}},
             {"id": 7, "kind": "utterance", "text": "Pickles was my first cat.", "created_at": 1.0,
              "role": "user", "provenance": "user", "status": "complete"},
             {"id": 8, "kind": "utterance", "text": "My sister Ana lives in Lisbon.", "created_at": 2.0,
              "role": "user", "provenance": "user", "status": "complete"},
             {"id": 9, "kind": "fact", "text": "The user's sister Ana lives in Lisbon.", "created_at": 3.0,
              "provenance": "user", "source_id": 8, "subject": "user's sister Ana",
              "predicate": "lives_in", "object": "Lisbon", "status": "complete"},
             {"id": 10, "kind": "utterance", "text": "Ana in Lisbon, how lovely.", "created_at": 4.0,
              "role": "assistant", "provenance": "assistant", "status": "complete"}]
    body = "".join(json.dumps(line) + "\n" for line in lines).encode()
    assert page.locator("#memory-import").is_visible()
    page.set_input_files("#memory-import-file", files=[
        {"name": "os1-memories.jsonl", "mimeType": "application/x-ndjson", "buffer": body}])
    page.wait_for_selector("#memory-list li.memory >> text=Pickles was my first cat.")


def forget_the_thing(page: Page) -> None:
    """Forgetting a fact offers everything that says it (the sentence it came from, the reply
    that repeats it), lists them, and forgets them all on yes; other memories stay."""
    fact = page.locator("#memory-list li.memory", has_text="Your sister Ana lives in Lisbon.").first
    fact.locator("button.forget").click()  # said to the person: "Your sister", not "The user's"
    page.wait_for_selector("dialog#confirm[open] #confirm-list li >> nth=1")
    listed = page.inner_text("#confirm-list")
    assert "My sister Ana lives in Lisbon." in listed and "Ana in Lisbon, how lovely." in listed
    assert "2 memories that say it" in page.inner_text("#confirm-text")
    page.click("#confirm-yes")
    page.wait_for_selector("#memory-list li.memory >> text=Lisbon", state="detached")
    page.reload()
    visible(page, "memories")
    page.wait_for_selector("#memory-list li.memory >> text=Pickles was my first cat.")
    assert page.locator("#memory-list li.memory", has_text="Lisbon").count() == 0
def keep_private(page: Page, said: str) -> None:
    """The toggle on a memory, labelled with it, keeps it private and shares it again; the list
    read back from the server shows each state."""
    for pressed in ("true", "false"):
        toggle = page.locator("#memory-list li.memory", has_text=said).first.locator("button.private")
        assert said in (toggle.get_attribute("aria-label") or "")  # names its memory
        toggle.click()
        where = f"#memory-list li.memory:has-text('{said}')"
        page.wait_for_selector(f"{where} button.private[aria-pressed={pressed}]")
    page.reload()
    visible(page, "memories")
    row = page.locator("#memory-list li.memory", has_text=said).first
    row.wait_for()
    assert row.locator("button.private").get_attribute("aria-pressed") == "false"


WATCH_DOING = """() => {
  window.voiceDoing = [];
  const status = document.getElementById("voice-status");
  new MutationObserver(() => {
    const now = status.dataset.doing;
    if (window.voiceDoing.at(-1) !== now) window.voiceDoing.push(now);
  }).observe(status, { attributes: true, attributeFilter: ["data-doing"] });
}"""


def talk(page: Page) -> None:
    """Press the microphone (chromium's fake one speaks a sentence): what os1 heard appears."""
    heard: list[dict[str, Any]] = []

    def on_frame(payload: str | bytes) -> None:
        if isinstance(payload, str) and (event := json.loads(payload))["type"] == "heard":
            heard.append(event)

    def on_socket(ws: WebSocket) -> None:
        if "/v1/voice?ticket=" in ws.url:
            ws.on("framereceived", on_frame)

    page.on("websocket", on_socket)
    page.click("nav a[data-route=chat]")
    visible(page, "chat")
    page.evaluate(WATCH_DOING)
    page.click("#mic")
    page.wait_for_selector("#mic[data-state=listening][aria-pressed=true]")
    spoken = page.locator("#log .msg.user.spoken").first
    spoken.wait_for(timeout=60_000)
    assert heard and heard[0]["text"].strip() and spoken.inner_text().strip() == heard[0]["text"]
    page.wait_for_function("() => window.voiceDoing.includes('thinking')")  # shown while it answers
    page.click("#mic")  # one tap: os1 falls silent and the conversation ends
    page.wait_for_selector("#mic[data-state=idle][aria-pressed=false]")
    assert page.locator("#voice-status").is_hidden()
    doing: list[str] = page.evaluate("window.voiceDoing")
    assert doing[0] == "listening" and doing[-1] == "idle", doing


def choose_a_voice(page: Page) -> None:
    """Settings offers the server's voices, says what the choice changes, plays a sample, keeps it."""
    page.wait_for_selector("#voice-list input[name=voice]", state="attached")
    assert "talks out loud" in page.inner_text("#voice-note")
    names = page.eval_on_selector_all("#voice-list input[name=voice]", "(all) => all.map((r) => r.value)")
    assert "usual" in names and "warm" in names and len(names) >= 4, names
    with page.expect_response("**/v1/voices/warm/sample") as sample:
        page.click("#voice-list button.play[data-voice=warm]")
    assert sample.value.ok and sample.value.headers["content-type"] == "audio/wav"
    page.wait_for_selector("#voice-list button.play[data-voice=warm][data-state=played]")  # heard to the end
    page.check("#voice-list input[value=deep]")
    page.click("#settings-save")
    page.wait_for_selector("#notice.shown >> text=Saved")
    page.reload()
    visible(page, "settings")
    page.wait_for_selector("#voice-list input[value=deep]:checked", state="attached")


def test_single_user_onboards_chats_forgets_and_talks(tmp_path: Path) -> None:
    said = "My cat Pickles sleeps on the piano."
    mic = fake_microphone(tmp_path / "hello.wav", "Good morning, would you tell me a story about the sea?")
    with serve(tmp_path / "home", "single") as base, chromium(mic) as browser, \
            phone(browser, base + "/") as page:
        visible(page, "login")  # without this machine's key, nothing but how to get in
        assert page.locator("#local-hint").is_visible() and page.locator("#login-form").is_hidden()
        page.goto(f"{base.rstrip('/')}/login?{QUERY}={local_key(tmp_path / 'home')}")
        assert QUERY not in page.url  # the key leaves the address bar at once
        visible(page, "welcome")
        page.keyboard.press("Tab")  # the first Tab reaches the skip link
        assert page.evaluate("document.activeElement.className") == "skip"
        name = onboard(page)
        page.wait_for_selector(f"#log .msg.os >> text={name}")  # its introduction opens the chat
        chat_and_watch_the_reply_stream(page, said)
        at_desktop_size(page)  # the conversation in a desktop window too, then back to the phone
        page.set_viewport_size({"width": 390, "height": 800})
        forget(page, said)
        page.click("nav a[data-route=settings]")
        visible(page, "settings")
        page.wait_for_selector("#set-model option", state="attached")
        model = page.locator("#set-model option").first
        assert model.inner_text() != model.get_attribute("value")  # said in words, not a config key
        choose_a_voice(page)
        assert page.locator("#logout").is_hidden()  # one person, no accounts: nothing to log out of
        talk(page)


def test_multi_user_registers_talks_forgets_and_logs_out(tmp_path: Path) -> None:
    said = "I keep my grandmother's letters in a blue box."
    with serve(tmp_path / "home", "multi") as base, chromium() as browser, \
            phone(browser, base + "/") as page:
        visible(page, "login")
        assert "registration is open" in (tmp_path / "home" / "serve.log").read_text()  # start-up says so
        assert page.inner_text("#login-title") == "Hello"  # not "Welcome back" to someone new
        page.click("#to-register")
        page.fill("#login-username", "theodore")
        page.fill("#login-password", "catherine-and-the-ocean")
        page.click("#login-submit")
        onboard(page)
        chat_and_watch_the_reply_stream(page, said)
        forget(page, said)
        bring_in_an_export(page)
        forget_the_thing(page)
        keep_private(page, "Pickles was my first cat.")

        page.click("nav a[data-route=settings]")
        visible(page, "settings")
        page.click("#logout")
        visible(page, "login")
        assert page.inner_text("#login-title") == "Welcome back"
        page.goto(base + "/#/chat")
        page.reload()
        visible(page, "login")  # the chat needs a login again
        assert page.locator("#log .msg").count() == 0
        status = page.evaluate("fetch('/v1/me').then(r => r.status)")
        assert status == 401

        page.fill("#login-username", "theodore")
        page.fill("#login-password", "catherine-and-the-ocean")
        page.click("#login-submit")
        visible(page, "chat")  # onboarded already: straight to the conversation


def test_settings_show_sessions_and_tokens_to_end_and_change_the_password(tmp_path: Path) -> None:
    password = "catherine-and-the-ocean"
    with serve(tmp_path / "home", "multi") as base, chromium() as browser, \
            phone(browser, base + "/") as page, httpx.Client(base_url=base) as elsewhere:
        root = base.rstrip("/")
        visible(page, "login")
        assert "registration is open" in (tmp_path / "home" / "serve.log").read_text()  # start-up says so
        assert page.inner_text("#login-title") == "Hello"  # not "Welcome back" to someone new
        page.click("#to-register")
        page.fill("#login-username", "theodore")
        page.fill("#login-password", password)
        page.click("#login-submit")
        onboard(page)
        login = {"username": "theodore", "password": password}
        assert elsewhere.post("/v1/auth/login", json=login).status_code == 200  # a second browser
        page.click("nav a[data-route=settings]")
        visible(page, "settings")
        page.fill("#token-name", "phone")
        page.select_option("#token-scope", "read")
        page.click("#token-make")
        secret = page.locator("#token-secret")
        secret.wait_for()
        bearer = {"Authorization": f"Bearer {secret.inner_text().strip()}"}
        page.reload()  # shown once: gone after this
        visible(page, "settings")
        assert page.locator("#token-made").is_hidden()
        page.wait_for_selector("#access:not([hidden]) #sessions li >> nth=1")
        assert page.locator("#sessions li").count() == 2
        other = page.locator("#sessions li", has=page.locator("button"))
        assert other.count() == 1  # this browser's own session has no button
        other.locator("button").click()
        page.click("#confirm-yes")
        page.wait_for_selector("#sessions li >> nth=1", state="detached")
        assert elsewhere.get("/v1/me").status_code == 401

        token = page.locator("#tokens li", has_text="phone")
        assert "read" in token.inner_text()
        assert httpx.get(f"{root}/v1/me", headers=bearer).status_code == 200
        token.locator("button").click()
        page.click("#confirm-yes")
        token.wait_for(state="detached")
        assert httpx.get(f"{root}/v1/me", headers=bearer).status_code == 401

        page.fill("#password-current", password)
        page.fill("#password-new", "a whole new ocean")
        page.click("#password-save")
        page.wait_for_selector("#notice.shown >> text=Password changed")
        fresh = {**login, "password": "a whole new ocean"}
        assert httpx.post(f"{root}/v1/auth/login", json=fresh).status_code == 200
        assert page.evaluate("fetch('/v1/me').then(r => r.status)") == 200  # still logged in here
        page.wait_for_selector("body[data-chat=open]")  # its socket came back on a fresh ticket
