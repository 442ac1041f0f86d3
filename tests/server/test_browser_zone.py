"""The person's time zone in the browser: a device elsewhere offers its own and never sets it
unasked; "Keep it" is remembered; each account keeps its own. A real ``os1 serve`` (its machine
on UTC) and Debian's chromium set to New York time."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page

from os1.testing.servers import free_port, os1_server
from tests.server.browser import LOW_CONTRAST, SETTLED, chromium, phone, visible

pytestmark = pytest.mark.integration
HERE = "America/New_York"  # the browser's zone: never UTC's offset
THEODORE = {"username": "theodore", "password": "correct horse"}


def _zone_of(base: str, username: str) -> str:
    with httpx.Client(base_url=base) as client:
        login = client.post("/v1/auth/login", json={"username": username, "password": "correct horse"})
        assert login.status_code == 200, login.text
        zone: str = client.get("/v1/settings").json()["time_zone"]
        return zone


def _sign_in(page: Page, username: str, register: bool) -> None:
    visible(page, "login")
    if register:
        page.click("#to-register")
    page.fill("#login-username", username)
    page.fill("#login-password", "correct horse")
    page.click("#login-submit")
    visible(page, "welcome")
    page.wait_for_selector("#zone-offer[data-checked]", state="attached")


def test_a_device_elsewhere_offers_its_zone_and_never_sets_it(tmp_path: Path) -> None:
    with os1_server(tmp_path / "home", free_port(), {"TZ": "UTC"}, ("--mode", "multi")) as base:
        with httpx.Client(base_url=base) as client:  # someone who said they live in Tokyo
            made = client.post("/v1/auth/register", json=THEODORE)
            assert made.status_code == 201, made.text
            csrf = {"X-CSRF-Token": client.cookies.get("os1_csrf") or ""}
            tokyo = client.put("/v1/settings", json={"time_zone": "Asia/Tokyo"}, headers=csrf)
            assert tokyo.status_code == 200, tokyo.text

        with chromium() as browser, phone(browser, base + "/", timezone_id=HERE) as page:
            _sign_in(page, "theodore", register=False)
            offer = page.locator("#zone-offer")
            assert offer.is_visible() and "Asia/Tokyo" in offer.inner_text() and HERE in offer.inner_text()
            assert _zone_of(base, "theodore") == "Asia/Tokyo"  # offered, not set
            page.wait_for_function(SETTLED, arg="screen-welcome")  # a function: polling it needs no eval
            assert page.evaluate(LOW_CONTRAST) == []
            assert page.evaluate("document.documentElement.scrollWidth") <= 390  # fits a phone
            page.set_viewport_size({"width": 1280, "height": 800})  # and a desktop window
            assert page.evaluate(LOW_CONTRAST) == [] and offer.is_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= 1280
            page.click("#zone-keep")
            assert offer.is_hidden()
            page.reload()
            page.wait_for_selector("#zone-offer[data-checked]", state="attached")
            assert offer.is_hidden()  # kept is remembered for this account

            page.context.clear_cookies()  # someone else, on the same phone
            page.reload()
            _sign_in(page, "amy", register=True)
            assert offer.is_visible() and "this server's time zone" in offer.inner_text()
            page.click("#zone-use")
            page.wait_for_selector("#notice.shown >> text=" + HERE)
            assert _zone_of(base, "amy") == HERE
            assert _zone_of(base, "theodore") == "Asia/Tokyo"  # each account its own
            page.reload()
            page.wait_for_selector("#zone-offer[data-checked]", state="attached")
            assert offer.is_hidden()  # the same zone now: nothing to offer
