"""Web Push end to end in Debian's chromium: the web app subscribes (the browser's push service
is stood in for by a loopback one, since this machine has no network), the server stores the
subscription, a due proposal arrives over the open tab's socket and as an encrypted push, and
the app's service worker shows the pushed payload as a notification once no tab is in view."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import uvicorn

from os1.access import QUERY, local_key
from os1.config import Settings
from os1.initiative.keeping import PlanBook, plans_path
from os1.memory.embedding.hashing import HashEmbedder
from os1.memory.sqlite import SQLiteMemory, store_path
from os1.server.app import create_app
from os1.testing import ScriptedLLM
from os1.testing.servers import free_port
from tests.conftest import wait_until
from tests.server.browser import chromium
from tests.server.push_receiver import push_receiver

pytestmark = pytest.mark.integration
LISBON = ZoneInfo("Europe/Lisbon")

# Chromium's own push service is on the network: pushManager.subscribe hands back the loopback
# one's subscription instead, as a push service would.
STAND_IN = """sub => {
  let current = null;
  PushManager.prototype.subscribe = async function () {
    const unsubscribe = async () => { current = null; return true; };
    current = {endpoint: sub.endpoint, toJSON: () => sub, unsubscribe};
    return current;
  };
  PushManager.prototype.getSubscription = async function () { return current; };
}"""
NOTIFICATIONS = """async () => (await (await navigator.serviceWorker.ready).getNotifications())
  .map(n => ({title: n.title, body: n.body}))"""


@contextmanager
def served(home: Path) -> Iterator[str]:
    """The web app in this process on a scripted model (no model to load: this test needs none)."""
    settings = Settings(home=home, memory={"embedder": "hash"})  # type: ignore[arg-type]
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, models={"local": ScriptedLLM()}),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="os1-serve", daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started or not thread.is_alive(), "the server to start")
        assert server.started, "the server did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def met(home: Path) -> None:
    """A user os1 already knows, whose hours are all open."""
    async def meet() -> None:
        store = await SQLiteMemory.open(store_path(home, "default"), HashEmbedder())
        await store.set_profile({"onboarded": "yes", "user_name": "Theodore", "os_name": "Samantha",
                                 "quiet_hours": "", "time_zone": "Europe/Lisbon"})
        await store.close()

    asyncio.run(meet())


def test_the_web_app_subscribes_and_a_pushed_proposal_arrives(tmp_path: Path) -> None:
    home = tmp_path / "home"
    met(home)
    with push_receiver() as receiver, served(home) as base, chromium() as browser:
        context = browser.new_context(permissions=["notifications"], base_url=base)
        context.add_init_script(f"({STAND_IN})({json.dumps(receiver.subscription())})")
        page = context.new_page()
        page.set_default_timeout(60_000)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"/login?{QUERY}={local_key(home)}")
        page.wait_for_selector("body[data-ready=true]")
        page.goto("/#/settings")
        page.click("#notify-toggle")
        page.wait_for_selector("body[data-push=on]")
        stored = page.evaluate("async () => (await (await fetch('/v1/push')).json()).endpoints")
        assert stored == [receiver.url]

        book = PlanBook(plans_path(store_path(home, "default").parent), LISBON)
        past = datetime.now(LISBON) - timedelta(minutes=5)
        plan = book.add("How was Ana's wedding?", "you said it was on Saturday", None,
                        frozenset({"wedding"}), past, past)
        book.close()
        page.goto("/#/chat")
        page.reload()  # the tab's socket opens: what is due comes over it, and by push
        page.wait_for_selector(f"#log li.initiative[data-plan='{plan.id}']")
        headers, payload = receiver.next_payload()
        assert payload["plan_id"] == plan.id and payload["text"] == plan.text
        assert headers["authorization"].startswith("vapid ")

        page.goto("about:blank")  # the tab is closed: the service worker shows what is pushed
        cdp = context.new_cdp_session(page)
        registrations: list[dict[str, str]] = []
        cdp.on("ServiceWorker.workerRegistrationUpdated",
               lambda event: registrations.extend(event["registrations"]))
        cdp.send("ServiceWorker.enable")
        def ours() -> list[dict[str, str]]:
            page.evaluate("0")  # each call lets CDP events in
            return [r for r in registrations if r["scopeURL"].startswith(base)]

        wait_until(ours, "the service worker's registration")
        cdp.send("ServiceWorker.deliverPushMessage",
                 {"origin": base, "registrationId": ours()[0]["registrationId"], "data": json.dumps(payload)})
        page.goto("/#/settings")
        page.wait_for_function(f"async () => (await ({NOTIFICATIONS})()).length > 0")
        shown = page.evaluate(NOTIFICATIONS)
        assert shown == [{"title": payload["title"], "body": plan.text}]
        context.close()
        assert not errors, errors
