"""The inner life over the API the web app uses: the mood after a turn, the journal listed and
an entry forgotten."""

from __future__ import annotations

import json

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


def test_a_journal_entry_is_edited_and_only_an_entry(make_client: Factory) -> None:  # noqa: F811
    client = make_client()
    client.get("/v1/session")
    lines = [{"format": "os1-memory", "version": 2, "user": "default", "profile": {}},
             {"id": 1, "kind": "utterance", "text": "We walked by the sea.", "created_at": 1.0,
              "role": "user", "provenance": "user", "status": "complete"},
             {"id": 2, "kind": "fact", "text": "You walked by the sea; I wonder which beach.",
              "created_at": 2.0, "provenance": "inferred", "subject": "os1", "predicate": "journal",
              "object": "", "moment": {"kind": "journal", "key": "journal:1",
                                       "data": {"how": "rules", "sources": [1]}, "images": []}}]
    body = "".join(json.dumps(line) + "\n" for line in lines)
    assert client.post("/v1/memories/import", content=body, headers=csrf(client)).status_code == 200
    [entry] = client.get("/v1/journal").json()["items"]
    changed = client.patch(f"/v1/journal/{entry['id']}", json={"text": "Which beach was it?"},
                           headers=csrf(client))
    assert changed.status_code == 200, changed.text
    assert changed.json()["text"] == "Which beach was it?" and changed.json()["how"] == "rules"
    assert [e["text"] for e in client.get("/v1/journal").json()["items"]] == ["Which beach was it?"]
    said = client.get("/v1/memories", params={"kind": "utterance"}).json()["items"][0]["id"]
    assert client.patch(f"/v1/journal/{said}", json={"text": "x"}, headers=csrf(client)).status_code == 404
    assert [e["text"] for e in client.get("/v1/journal").json()["items"]] == ["Which beach was it?"]
    empty = client.patch(f"/v1/journal/{entry['id']}", json={"text": ""}, headers=csrf(client))
    assert empty.status_code == 422 and set(empty.json()) == {"error"}
