"""The book over HTTP, and its mail to a publisher through the real mail servers: the criteria
are stated back and change the choice; the mail is shown whole with the book attached, and
only the mail that was shown is sent, on the user's yes (a second call), and logged."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from os1.access import QUERY, local_key
from os1.config import Settings
from os1.server.app import create_app
from os1.testing import ScriptedLLM
from os1.testing.servers import Imap, Smtp
from tests.mail.conftest import account, imap, servers, smtp  # noqa: F401  (the real servers' fixtures)
from tests.server.conftest import BASE, csrf
from tests.server.test_letters_api import BRIEF, INVENTING

pytestmark = pytest.mark.integration
BODY = INVENTING.replace(", and of our trip to Porto with Ricardo", "")


@pytest.fixture
def client(os1_home: Path, imap: Imap, smtp: Smtp) -> Iterator[TestClient]:  # noqa: F811
    settings = Settings(home=os1_home, memory={"embedder": "hash"}, mail=account(imap, smtp))
    with TestClient(create_app(settings, models={"local": ScriptedLLM()}), base_url=BASE) as app:
        app.get(f"/login?{QUERY}={local_key(os1_home)}", follow_redirects=False)
        app.get("/v1/session")
        yield app


def keep(client: TestClient, to: str, occasion: str) -> int:
    body = {**BRIEF, "to": to, "occasion": occasion, "text": BODY.replace("Ana", to)}
    reply = client.post("/v1/letters", json=body, headers=csrf(client))
    assert reply.status_code == 201, reply.text  # every detail grounded in the brief
    return int(reply.json()["id"])


def test_the_book_is_made_by_stated_criteria_and_sent_only_as_shown(client: TestClient, smtp: Smtp) -> None:  # noqa: F811
    ana, ben = keep(client, "Ana", "an anniversary"), keep(client, "Ben", "a birthday")
    client.patch(f"/v1/letters/{ben}", json={"favourite": True}, headers=csrf(client))
    made = client.post("/v1/letters/book", json={"size": 1, "title": "Kept"}, headers=csrf(client)).json()
    assert "at most 1 letters" in made["criteria"] and "favourites weigh 3" in made["criteria"]
    assert [x["id"] for x in made["letters"]] == [ben] and "a favourite" in made["letters"][0]["reason"]
    made = client.post("/v1/letters/book", json={"size": 5, "exclude": [ben]}, headers=csrf(client)).json()
    assert [x["id"] for x in made["letters"]] == [ana] and made["files"] == ["book.pdf", "book.epub"]
    assert client.get("/v1/letters/book/book.pdf").content[:5] == b"%PDF-"
    assert client.get("/v1/letters/book/book.epub").content[:2] == b"PK"

    before = len(smtp.received)
    ask = {"to": "editor@example.org", "subject": "Letters for you"}
    shown = client.post("/v1/letters/book/mail", json=ask, headers=csrf(client)).json()
    assert "To: editor@example.org" in shown["preview"] and "book.epub" in shown["preview"]
    other = client.post("/v1/letters/book/send", json={**ask, "subject": "Other", "shown": shown["shown"]},
                        headers=csrf(client))
    assert other.status_code == 409 and "changed since it was shown" in other.json()["error"]
    assert len(smtp.received) == before  # nothing sent before the yes to what was shown
    sent = client.post("/v1/letters/book/send", json={**ask, "shown": shown["shown"]}, headers=csrf(client))
    assert sent.status_code == 200, sent.text
    assert len(smtp.received) == before + 1 and smtp.received[-1]["to"] == ["editor@example.org"]
    mail = message_from_bytes(smtp.received[-1]["raw"], policy=policy.default)
    assert sorted(p.get_filename() for p in mail.iter_attachments()) == ["book.epub", "book.pdf"]  # type: ignore[attr-defined]

    assert client.delete(f"/v1/letters/{ana}", headers=csrf(client)).status_code == 204
    gone = client.get("/v1/letters/book/book.pdf")  # the book held the forgotten letter
    assert gone.status_code == 404 and "no book" in gone.json()["error"]
