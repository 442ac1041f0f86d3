"""The inner life over the API the web app uses: the mood after a turn, the journal listed and
an entry forgotten."""

from __future__ import annotations

from os1.testing import ScriptedLLM
from tests.conftest import wait_until
from tests.server.conftest import Factory, csrf, make_client  # noqa: F401 (a fixture)


def test_status_moves_after_a_turn_and_the_journal_is_listed(make_client: Factory) -> None:  # noqa: F811
    client = make_client(ScriptedLLM(default="You're welcome."))
    client.get("/v1/session")
    assert client.get("/v1/status").json()["mood"] == "calm"
    said = client.post("/v1/chat", json={"text": "Thank you, that was kind."}, headers=csrf(client))
    assert said.status_code == 200, said.text
    wait_until(lambda: client.get("/v1/status").json()["cause"] == "you thanked me", "the mood to move")
    status = client.get("/v1/status").json()
    assert status["source_memory"] == said.json()["said_id"] and "not a feeling" in status["what"]
    assert client.get("/v1/journal").json() == {"items": []}  # the conversation is going on
    assert client.delete("/v1/journal/5", headers=csrf(client)).status_code == 404
