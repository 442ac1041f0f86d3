"""Letters over HTTP (``/v1/letters``) on a scripted model that invents details, the real letter
store and the in-process app: the draft shows where each detail came from and flags the
invented ones before anything is kept; edits and proofreading each make a version and keep the
old ones; files and the bulk export download; accounts never see each other's letters; bad
input is one line and loses nothing."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from os1.testing import ScriptedLLM
from tests.letters.test_voice_and_import import RUTH
from tests.server.conftest import Factory, csrf, register

INVENTING = ("Dear Ana,\n\nTen years since May 2015, and I still think of the bookshop in Gdansk where "
             "we met, and of our trip to Porto with Ricardo. You are the kindest person I know, and I "
             "wanted to tell you so today, plainly and with all my heart.\n\nLove,\nMarek")
BRIEF = {"to": "Ana", "client": "Marek", "occasion": "our tenth anniversary",
         "brief": "- Married ten years, since May 2015\n- Met at a bookshop in Gdansk"}
FRENCH = ("Ma chère Amélie,\n\nJe pense à toi chaque matin, quand le soleil se lève sur la mer. "
          "Tu me manques beaucoup, et les jours sont longs sans ta voix.\n\nBises,\nLouis")


def draft(client: TestClient, brief: dict[str, Any]) -> dict[str, Any]:
    reply = client.post("/v1/letters/draft", json=brief, headers=csrf(client))
    assert reply.status_code == 200, reply.text
    out: dict[str, Any] = reply.json()
    return out


def local(make_client: Factory) -> TestClient:
    """The single-user app, opened as its web page does (which sets the CSRF cookie)."""
    client = make_client(ScriptedLLM(INVENTING))
    assert client.get("/v1/session").status_code == 200
    return client


def one_line(reply: Any, status: int, *words: str) -> None:
    assert reply.status_code == status, reply.text
    error = reply.json()["error"]
    assert "\n" not in error and all(w in error for w in words), error


def test_a_draft_is_checked_before_it_is_kept_and_every_version_stays(make_client: Factory) -> None:
    client = local(make_client)
    made = draft(client, BRIEF)
    grounding = made["grounding"]
    assert set(grounding["flagged"]) == {"Porto", "Ricardo", "trip"}  # an invented shared event too
    where = {d["text"]: d["sources"] for d in grounding["details"]}
    assert where["Gdansk"] == ["brief: note 2"] and made["memories"] == []  # a client's: no memories
    refused = client.post("/v1/letters", json={**BRIEF, "text": made["text"]}, headers=csrf(client))
    one_line(refused, 409, "not kept", "Porto", "Ricardo")
    assert client.get("/v1/letters").json()["letters"] == []  # nothing kept

    edited = str(made["text"]).replace(", and of our trip to Porto with Ricardo", "")
    checked = client.post("/v1/letters/check", json={**BRIEF, "text": edited}, headers=csrf(client))
    assert checked.json()["grounding"]["flagged"] == []
    kept = client.post("/v1/letters", json={**BRIEF, "text": edited, "edited": True}, headers=csrf(client))
    assert kept.status_code == 201, kept.text
    letter = kept.json()
    assert letter["versions"][0]["note"] == "drafted, edited" and not letter["private"]

    typo = edited.replace("kindest", "kindest and most generous").replace("plainly", "plainlly")
    revised = client.post(f"/v1/letters/{letter['id']}/versions", json={"text": typo}, headers=csrf(client))
    assert [v["n"] for v in revised.json()["versions"]] == [1, 2]
    suggested = client.get(f"/v1/letters/{letter['id']}/proofread").json()
    assert suggested["version"] == 2
    fix = next(i for i, c in enumerate(suggested["changes"]) if c["old"] == "plainlly")
    assert suggested["changes"][fix]["new"] == "plainly" and suggested["changes"][fix]["reason"]
    stale = client.post(f"/v1/letters/{letter['id']}/proofread", json={"version": 1, "accepted": [fix]},
                        headers=csrf(client))
    one_line(stale, 409, "proofread it again")
    fixed = client.post(f"/v1/letters/{letter['id']}/proofread", json={"version": 2, "accepted": [fix]},
                        headers=csrf(client)).json()
    assert [v["n"] for v in fixed["versions"]] == [1, 2, 3]
    assert "plainly" in fixed["text"] and "plainlly" in fixed["versions"][1]["text"]

    pdf = client.get(f"/v1/letters/{letter['id']}/file?format=pdf")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    assert "attachment" in pdf.headers["content-disposition"]
    assert client.get(f"/v1/letters/{letter['id']}/file?format=md").text.startswith("# To Ana")
    found = client.get("/v1/letters", params={"q": "gdansk bookshop"}).json()["letters"]
    assert [x["id"] for x in found] == [letter["id"]] and found[0]["versions"] == 3
    assert client.get("/v1/letters", params={"q": "Lisbon"}).json()["letters"] == []

    everything = client.get("/v1/letters/export", params={"client": "Marek"})
    with zipfile.ZipFile(io.BytesIO(everything.content)) as z:
        exported = json.loads(z.read("letters.json"))
        assert len(exported["letters"]) == 1 and len(exported["letters"][0]["versions"]) == 3
        assert any(n.endswith("-ana.md") for n in z.namelist())
    one_line(client.get("/v1/letters/export", params={"client": "Carla"}), 400, "no letters", "Carla")

    assert client.delete(f"/v1/letters/{letter['id']}", headers=csrf(client)).status_code == 204
    one_line(client.get(f"/v1/letters/{letter['id']}"), 404, "no letter")


def test_accounts_never_see_each_others_letters(make_client: Factory) -> None:
    client = make_client(ScriptedLLM(default=INVENTING), mode="multi")
    register(client, "alice")
    said = client.post("/v1/chat", json={"text": "My sister Ana lives in Lisbon and loves ferries."},
                       headers=csrf(client))
    assert said.status_code == 200, said.text
    own = draft(client, {"to": "Ana", "from": "Alice", "occasion": "her birthday"})
    # what she said, and any fact drawn from it by then
    assert f"memory {said.json()['said_id']}" in [m["ref"] for m in own["memories"]]
    assert all("Ana" in m["text"] for m in own["memories"])
    made = draft(client, BRIEF)
    assert made["memories"] == []  # a client's letter never draws on her own memories
    kept = client.post("/v1/letters", json={**BRIEF, "text": made["text"], "keep_flagged": True},
                       headers=csrf(client))
    assert kept.status_code == 201 and kept.json()["grounding"]["flagged"]  # kept on her word
    letter_id = kept.json()["id"]
    client.post("/v1/auth/logout", headers=csrf(client))
    register(client, "bob")
    assert client.get("/v1/letters").json()["letters"] == []
    assert draft(client, {"to": "Ana", "from": "Bob"})["memories"] == []  # nor on another account's
    one_line(client.get(f"/v1/letters/{letter_id}"), 404, "no letter")
    one_line(client.get(f"/v1/letters/{letter_id}/file?format=txt"), 404, "no letter")
    one_line(client.delete(f"/v1/letters/{letter_id}", headers=csrf(client)), 404, "no letter")
    one_line(client.get("/v1/letters/export"), 400, "no letters")


def test_bad_input_is_one_line_and_loses_nothing(make_client: Factory, tmp_path: Path) -> None:
    client = local(make_client)
    good = client.post("/v1/letters/import", params={"name": "ruth.txt"},
                       content=RUTH[0].format(n="Clara").encode(), headers=csrf(client))
    assert good.status_code == 200 and good.json()["imported"] == 1

    empty = {"client": "Marek", "brief": "  \n"}
    one_line(client.post("/v1/letters/draft", json=empty, headers=csrf(client)), 400, "brief is empty")
    one_line(client.post("/v1/letters/draft", json={"occasion": "a birthday"}, headers=csrf(client)),
             400, "whom is the letter to")
    big = io.BytesIO()
    with zipfile.ZipFile(big, "w") as z:
        z.writestr("word/media/photo.bin", bytes(5_000_000))
    one_line(client.post("/v1/letters/import", params={"name": "huge.docx"}, content=big.getvalue(),
                         headers=csrf(client)), 413, "over")
    one_line(client.post("/v1/letters/import", params={"name": "song.mp3"}, content=bytes(range(256)) * 8,
                         headers=csrf(client)), 400, "song.mp3", "not a text file")
    one_line(client.post("/v1/letters/import", params={"name": "amelie.txt"}, content=FRENCH.encode(),
                         headers=csrf(client)), 400, "amelie.txt", "English")
    voice = client.get("/v1/letters/voice").json()
    assert voice["profile"]["letters"] == 1 and voice["lines"]  # the good letter is still there
    assert client.get("/v1/letters").json()["letters"] == []  # and no letter came from the bad input
