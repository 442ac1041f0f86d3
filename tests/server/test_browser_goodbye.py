"""os1's mood and journal, and the goodbye, in the web app: a real ``os1 serve`` (single mode,
the bundled model) driven by Debian's chromium at phone size. The person's life with os1 is
brought in as an export (with two journal entries), so no reply of the model is waited for."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest

from os1.access import QUERY, local_key
from os1.testing.servers import free_port, os1_server
from tests.server.browser import LOW_CONTRAST, chromium, phone, visible

pytestmark = pytest.mark.integration
SAID = "My grandmother's lighthouse stood on the northern cliffs of Madeira."
ENTRY = "Theodore told me about a lighthouse. I'm curious who kept its light."
KEPT = "I want to ask how the letters are going."
EDITED = "I want to ask how the letter to Catherine is going."
SETTLED = "(id) => getComputedStyle(document.getElementById(id)).opacity === '1'"  # faded in
FOCUSED = "document.activeElement && document.activeElement.id"


def _life() -> bytes:
    """An export: the profile (onboarded), what was said, and two journal entries."""
    def entry(memory_id: int, text: str) -> dict[str, Any]:
        return {"id": memory_id, "kind": "fact", "text": text, "created_at": 1_700_000_000.0 + memory_id,
                "provenance": "inferred", "subject": "os1", "predicate": "journal", "object": text,
                "moment": {"kind": "journal", "key": f"journal:{memory_id}",
                           "data": {"how": "rules", "sources": [1]}, "images": []}}

    lines = [{"format": "os1-memory", "version": 2, "user": "default",
              "profile": {"onboarded": "yes", "user_name": "Theodore", "os_name": "Samantha"}},
             {"id": 1, "kind": "utterance", "text": SAID, "created_at": 1_700_000_000.0, "role": "user",
              "provenance": "user", "status": "complete"},
             entry(2, ENTRY), entry(3, KEPT)]
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


def test_the_journal_and_the_goodbye_at_phone_size(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with os1_server(home, free_port(), {"OS1_LLM__MAX_TOKENS": "16"}, ("--mode", "single")) as base, \
            httpx.Client(base_url=base, headers={"Authorization": f"Bearer {local_key(home)}"}) as api:
        brought = api.post("/v1/memories/import", content=_life(),
                           headers={"Content-Type": "application/x-ndjson"})
        assert brought.status_code == 200, brought.text
        with chromium() as browser, phone(browser, f"{base}/login?{QUERY}={local_key(home)}") as page:
            visible(page, "chat")
            page.click("nav a[data-route=journal]")
            visible(page, "journal")
            page.wait_for_selector("#journal-list li.entry >> nth=1")
            assert page.inner_text("#mood-word") == "calm"
            assert "not a feeling" in page.inner_text("#mood-what")
            forget = page.locator("#journal-list li.entry", has_text=ENTRY).locator("button.forget")
            assert "lighthouse" in (forget.get_attribute("aria-label") or "")  # names its entry
            forget.click()
            page.wait_for_selector("dialog#confirm[open]")
            page.click("#confirm-yes")
            page.wait_for_selector("#journal-list li.entry >> text=lighthouse", state="detached")
            assert page.evaluate("!!document.activeElement.closest('#journal-list li.entry')")  # focus stays
            assert [e["text"] for e in api.get("/v1/journal").json()["items"]] == [KEPT]  # really gone
            page.locator("#journal-list li.entry", has_text=KEPT).locator("button.edit").click()
            kept_id = page.get_attribute("#journal-list li.entry", "data-id")
            assert page.evaluate(FOCUSED) == f"entry-{kept_id}"  # the field, ready to type in
            page.fill("#journal-list textarea", EDITED)
            page.click("#journal-list form button[type=submit]")
            page.wait_for_selector(f"#journal-list li.entry .text >> text={EDITED}")
            assert [e["text"] for e in api.get("/v1/journal").json()["items"]] == [EDITED]
            page.wait_for_function(SETTLED, arg="screen-journal")
            page.wait_for_function(SETTLED, arg="notice")  # "Forgotten.", faded in
            assert page.evaluate(LOW_CONTRAST) == []
            assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing runs off a phone

            page.click("nav a[data-route=settings]")
            visible(page, "settings")
            page.click("#to-goodbye")
            visible(page, "goodbye")
            page.click("#goodbye-begin")
            page.wait_for_selector("#goodbye-ready:not([hidden])")
            assert "AI" in page.inner_text("#goodbye-letter") and page.locator("#goodbye-first").is_hidden()
            with page.expect_download() as got:
                page.click("#goodbye-download")
            archive = zipfile.ZipFile(io.BytesIO(Path(got.value.path()).read_bytes()))
            assert SAID in archive.read("os1-goodbye/memory.jsonl").decode()
            assert EDITED in archive.read("os1-goodbye/archive/index.html").decode()
            page.wait_for_selector("#goodbye-first:not([hidden])")
            assert page.evaluate(FOCUSED) == "goodbye-word"
            page.wait_for_function(SETTLED, arg="screen-goodbye")
            assert page.evaluate(LOW_CONTRAST) == []
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            page.fill("#goodbye-word", "goodbye")
            page.keyboard.press("Enter")
            page.wait_for_selector("#goodbye-second:not([hidden])")
            assert page.evaluate(FOCUSED) == "goodbye-erase-word"
            page.fill("#goodbye-erase-word", "erase")
            page.click("#goodbye-erase")
            page.wait_for_selector("#goodbye-done:not([hidden])")
            assert "none found" in page.inner_text("#goodbye-proof")
            with page.expect_download() as kept:
                page.click("#goodbye-proof-file")
            proof = json.loads(Path(kept.value.path()).read_text())
            assert proof["clean"] and proof["erased"] and proof["traces_looked_for"] >= 1
            assert page.locator("#top").is_hidden()
        assert api.get("/v1/memories").json()["items"] == []  # a fresh start: nothing of theirs
        assert api.get("/v1/journal").json()["items"] == []
