"""Proposals reach the web app: live over the chat socket, and by Web Push (VAPID-signed,
encrypted for the subscription's keys) to a push service, here one on loopback."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from os1.errors import InputError
from os1.initiative.keeping import PlanBook, plans_path
from os1.memory.sqlite import store_path
from os1.server.push import check_endpoint
from tests.server.conftest import CHAT_WS, Factory, csrf
from tests.server.push_receiver import push_receiver
from tests.server.test_sockets import _receive

LISBON = ZoneInfo("Europe/Lisbon")


def test_only_push_services_are_posted_to() -> None:
    assert check_endpoint("https://push.example.org/x", loopback_http=False)
    for bad in ("http://push.example.org/x", "https://127.0.0.1/x", "https://10.0.0.5/x", "https://localhost/x",
                "file:///etc/passwd", "http://127.0.0.1:9/x"):
        with pytest.raises(InputError):
            check_endpoint(bad, loopback_http=False)
    assert check_endpoint("http://127.0.0.1:9/x", loopback_http=True)  # single mode: the user's own machine


def test_a_subscription_is_checked_and_stored(make_client: Factory) -> None:
    client = make_client()
    client.get("/v1/session")  # the page's first call: it sets the CSRF cookie
    state = client.get("/v1/push").json()
    assert len(state["public_key"]) == 87 and state["endpoints"] == []  # a P-256 point, base64url
    with push_receiver() as receiver:
        sub = receiver.subscription()
        bad = {**sub, "keys": {**sub["keys"], "auth": "c2hvcnQ"}}
        assert client.post("/v1/push/subscriptions", json=bad, headers=csrf(client)).status_code == 400
        stored = client.post("/v1/push/subscriptions", json=sub, headers=csrf(client))
        assert stored.status_code == 201 and stored.json()["endpoints"] == [receiver.url]
        assert client.get("/v1/push").json()["public_key"] == state["public_key"]  # kept, not remade
        gone = client.request("DELETE", "/v1/push/subscriptions", json={"endpoint": receiver.url},
                              headers=csrf(client))
        assert gone.json()["endpoints"] == []


def test_a_due_proposal_arrives_on_the_socket_and_by_web_push(make_client: Factory) -> None:
    client = make_client()
    client.get("/v1/session")  # the page's first call: it sets the CSRF cookie
    assert client.put("/v1/settings", json={"quiet_hours": "", "time_zone": "Europe/Lisbon"},
                      headers=csrf(client)).status_code == 200
    with push_receiver() as receiver:
        assert client.post("/v1/push/subscriptions", json=receiver.subscription(),
                           headers=csrf(client)).status_code == 201
        home = client.app.state.site.settings.home  # type: ignore[attr-defined]
        book = PlanBook(plans_path(store_path(home, "default").parent), LISBON)
        past = datetime.now(LISBON) - timedelta(minutes=5)
        plan = book.add("How was Ana's wedding?", "you said it was on Saturday", None, frozenset({"wedding"}),
                        past, past)
        with client.websocket_connect(CHAT_WS) as ws:  # an open tab: the look runs as it connects
            notice = _receive(ws)
        assert notice["kind"] == "initiative" and notice["plan_id"] == plan.id and notice["text"] == plan.text
        headers, payload = receiver.next_payload()
        assert payload["plan_id"] == plan.id and payload["text"] == plan.text and payload["reason"]
        assert headers["authorization"].startswith("vapid t=") and headers["content-encoding"] == "aes128gcm"
        assert book.get(plan.id).status == "delivered"  # type: ignore[union-attr]
        assert receiver.received.empty()
        book.close()
