"""The HTTP API in single-user mode: the session, chat, memories, preferences, errors."""

from __future__ import annotations

import json
from pathlib import Path

from starlette.testclient import TestClient

from os1.memory.moments import MomentDraft
from os1.testing import ScriptedLLM
from tests.server.conftest import BASE, Factory, csrf, register


def _session(client: TestClient) -> None:
    reply = client.get("/v1/session")
    assert reply.status_code == 200
    assert reply.json()["mode"] == "single"
    assert client.cookies.get("os1_csrf")


def test_health_names_the_worker(make_client: Factory) -> None:
    body = make_client(worker="w1").get("/v1/health").json()
    assert body["status"] == "ok" and body["worker"] == "w1" and body["mode"] == "single"


def test_chat_needs_the_csrf_token_then_answers_and_remembers(make_client: Factory) -> None:
    client = make_client(ScriptedLLM("Hello Theodore, I'm here."))
    _session(client)
    refused = client.post("/v1/chat", json={"text": "I moved to Los Angeles in May."})
    assert refused.status_code == 403 and "csrf" in refused.json()["error"].lower()
    reply = client.post("/v1/chat", json={"text": "I moved to Los Angeles in May."}, headers=csrf(client))
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["reply"] == "Hello Theodore, I'm here."
    texts = [m["text"] for m in client.get("/v1/memories").json()["items"]]
    assert "I moved to Los Angeles in May." in texts and "Hello Theodore, I'm here." in texts
    found = client.get("/v1/memories", params={"q": "Los Angeles"}).json()["items"]
    assert found and found[0]["id"] == body["said_id"]
    dated = client.post("/v1/chat", json={"text": "I live in Oslo.", "at": 1_793_698_200},
                        headers=csrf(client)).json()
    assert client.get(f"/v1/memories/{dated['said_id']}").json()["item"]["created_at"] == 1_793_698_200


def test_a_memory_is_shown_edited_and_forgotten(make_client: Factory) -> None:
    client = make_client()
    _session(client)
    said = client.post("/v1/chat", json={"text": "My sister is called Annie."}, headers=csrf(client)).json()
    memory_id = said["said_id"]
    shown = client.get(f"/v1/memories/{memory_id}").json()
    assert shown["item"]["text"] == "My sister is called Annie." and "derived" in shown["related"]
    edited = client.patch(f"/v1/memories/{memory_id}", json={"text": "My sister is called Ann."},
                          headers=csrf(client))
    assert edited.json()["text"] == "My sister is called Ann."
    assert client.delete(f"/v1/memories/{memory_id}", headers=csrf(client)).status_code == 204
    assert client.get(f"/v1/memories/{memory_id}").status_code == 404
    texts = [m["text"] for m in client.get("/v1/memories").json()["items"]]
    assert not any("Ann" in t for t in texts)
    assert client.delete(f"/v1/memories/{memory_id}", headers=csrf(client)).status_code == 404


def test_forgetting_a_fact_offers_everything_that_says_it(make_client: Factory) -> None:
    client = make_client()
    _session(client)
    lines = [{"format": "os1-memory", "version": 2, "user": "default", "profile": {}},
             {"id": 1, "kind": "utterance", "text": "My sister Ana lives in Lisbon.", "created_at": 1.0,
              "role": "user", "provenance": "user", "status": "complete"},
             {"id": 2, "kind": "fact", "text": "The user's sister Ana lives in Lisbon.", "created_at": 2.0,
              "provenance": "user", "source_id": 1, "subject": "user's sister Ana",
              "predicate": "lives_in", "object": "Lisbon", "status": "complete"},
             {"id": 3, "kind": "utterance", "text": "Ana in Lisbon, how lovely.", "created_at": 3.0,
              "role": "assistant", "provenance": "assistant", "status": "complete"},
             {"id": 4, "kind": "utterance", "text": "I drink tea.", "created_at": 4.0,
              "role": "user", "provenance": "user", "status": "complete"}]
    body = "".join(json.dumps(line) + "\n" for line in lines)
    assert client.post("/v1/memories/import", content=body, headers=csrf(client)).json() == {"imported": 4}
    items = client.get("/v1/memories").json()["items"]
    fact = next(m for m in items if m["kind"] == "fact")
    assert fact["shown"] == "Your sister Ana lives in Lisbon." and fact["text"] == lines[2]["text"]
    saying = client.get(f"/v1/memories/{fact['id']}/saying").json()["items"]
    assert [m["text"] for m in saying] == [str(lines[i]["text"]) for i in (2, 1, 3)]
    ids = [m["id"] for m in saying]
    gone = client.post("/v1/memories/forget", json={"ids": ids}, headers=csrf(client)).json()
    assert gone == {"forgotten": 3}
    assert [m["text"] for m in client.get("/v1/memories").json()["items"]] == ["I drink tea."]
    assert client.get(f"/v1/memories/{fact['id']}/saying").status_code == 404


def test_export_then_import_elsewhere(make_client: Factory, tmp_path: object) -> None:
    client = make_client()
    _session(client)
    client.post("/v1/chat", json={"text": "I write letters for other people."}, headers=csrf(client))
    exported = client.get("/v1/memories/export")
    assert exported.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in exported.text.splitlines()]
    assert lines[0]["format"] == "os1-memory" and len(lines) >= 3
    for memory in client.get("/v1/memories").json()["items"]:
        client.delete(f"/v1/memories/{memory['id']}", headers=csrf(client))
    assert client.get("/v1/memories").json()["items"] == []
    imported = client.post("/v1/memories/import", content=exported.text, headers=csrf(client))
    assert imported.status_code == 200 and imported.json()["imported"] >= 2
    texts = [m["text"] for m in client.get("/v1/memories").json()["items"]]
    assert "I write letters for other people." in texts
    bad = client.post("/v1/memories/import", content=b"\x00\xff not json", headers=csrf(client))
    assert bad.status_code == 400 and "\n" not in bad.json()["error"]


def test_preferences_are_kept_and_checked(make_client: Factory) -> None:
    client = make_client()
    _session(client)
    assert client.get("/v1/settings").json()["model"] == "local"
    changed = client.put("/v1/settings", json={"voice": "warm", "quiet_hours": "23:00-07:00"},
                         headers=csrf(client))
    assert changed.json()["voice"] == "warm" and changed.json()["quiet_hours"] == "23:00-07:00"
    assert client.put("/v1/settings", json={"model": "gpt-9"}, headers=csrf(client)).status_code == 400
    assert client.put("/v1/settings", json={"quiet_hours": "late"}, headers=csrf(client)).status_code == 400
    wrong = client.put("/v1/settings", json={"time_zone": "Mars/Olympus"}, headers=csrf(client))
    assert wrong.status_code == 400 and "time zone" in wrong.json()["error"]
    assert client.get("/v1/settings").json()["time_zone"] == ""
    lisbon = client.put("/v1/settings", json={"time_zone": "Europe/Lisbon"}, headers=csrf(client))
    assert lisbon.json()["time_zone"] == "Europe/Lisbon"


def test_onboarding_names_the_os(make_client: Factory) -> None:
    client = make_client(ScriptedLLM("Samantha", "Hi, I'm Samantha."))
    _session(client)
    assert client.get("/v1/onboarding").json()["done"] is False
    hello = client.post("/v1/onboarding", json={"answers": {"user_name": "Theodore", "voice": "warm"}},
                        headers=csrf(client))
    assert hello.status_code == 200, hello.text
    name = hello.json()["os_name"]
    assert name and name in hello.json()["introduction"]
    me = client.get("/v1/me").json()
    assert me["onboarded"] is True and me["os_name"] == name and me["user_name"] == "Theodore"
    said = client.get("/v1/memories", params={"kind": "utterance"}).json()["items"]
    assert [(m["role"], m["text"]) for m in said] == [("assistant", hello.json()["introduction"])]
    unknown = client.post("/v1/onboarding", json={"answers": {"salary": "1"}}, headers=csrf(client))
    assert unknown.status_code == 400


def test_bad_requests_get_one_line_errors(make_client: Factory) -> None:
    client = make_client(max_body_bytes=10_000)
    _session(client)
    for body, status in ((b"{not json", 422), (b'{"text": ""}', 422), (b'{"text": 5}', 422),
                         (b'{"text": "x", "extra": 1}', 422)):
        headers = {**csrf(client), "content-type": "application/json"}
        reply = client.post("/v1/chat", content=body, headers=headers)
        assert reply.status_code == status, (body, reply.text)
        assert set(reply.json()) == {"error"} and "\n" not in reply.json()["error"]
    huge = client.post("/v1/chat", content=b"x" * 20_000, headers=csrf(client))
    assert huge.status_code == 413
    blank = client.post("/v1/chat", json={"text": "   "}, headers=csrf(client))
    assert blank.status_code == 400 and "empty" in blank.json()["error"]
    assert client.get("/v1/memories/99999999999999999999").status_code == 422


def test_single_mode_answers_only_loopback_names(make_client: Factory) -> None:
    client = make_client()
    rebinding = client.get("/v1/memories", headers={"host": "evil.example:8371"})
    assert rebinding.status_code == 403
    _session(client)
    cross_site = client.post("/v1/chat", json={"text": "hi"},
                             headers={**csrf(client), "origin": "https://evil.example"})
    assert cross_site.status_code == 403


def test_turns_are_rate_limited(make_client: Factory) -> None:
    client = make_client(turns_per_minute=2)
    _session(client)
    codes = [client.post("/v1/chat", json={"text": f"hello {n}"}, headers=csrf(client)).status_code
             for n in range(3)]
    assert codes == [200, 200, 429]


def test_the_web_app_and_api_description_are_served(make_client: Factory) -> None:
    client = make_client()
    spec = client.get("/openapi.json").json()
    assert "/v1/chat" in spec["paths"] and "/v1/memories/{memory_id}" in spec["paths"]
    page = client.get("/v1/health")
    assert "content-security-policy" in page.headers


def test_an_export_names_no_path_of_the_server(make_client: Factory, os1_home: Path) -> None:
    """A composed piece's files travel in the export by file name alone, and land in the
    importer's own music folder."""
    client = make_client(mode="multi")
    amy = register(client, "amy")["id"]
    site = client.app.state.site  # type: ignore[attr-defined]

    async def compose() -> None:
        async with site.spaces.use(amy) as space:
            folder = space.store.files_dir
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "piece.mid").write_bytes(b"MThd")
            await space.store.add_moment(MomentDraft(
                "piece", "piece:test", "You composed a piece.", {"midi": str(folder / "piece.mid")},
                provenance="assistant"))

    client.portal.call(compose)  # type: ignore[union-attr]
    exported = client.get("/v1/memories/export").text
    assert str(os1_home) not in exported and "/users/" not in exported
    piece = next(json.loads(line) for line in exported.splitlines() if '"moment"' in line)
    assert piece["moment"]["data"]["midi"] == "piece.mid"
    bob = TestClient(client.app, base_url=BASE)
    bob_id = register(bob, "bobby")["id"]
    assert bob.post("/v1/memories/import", content=exported, headers=csrf(bob)).json()["imported"] >= 1

    async def bobs_piece() -> Path:
        async with site.spaces.use(bob_id) as space:
            moment = (await space.store.moments("piece", limit=1))[0]
            return Path(moment.data["midi"])

    landed = client.portal.call(bobs_piece)  # type: ignore[union-attr]
    assert landed.read_bytes() == b"MThd" and bob_id in str(landed)
