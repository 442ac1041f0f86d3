"""Sharing over the API (``/v1/share``, ``/v1/images``) and long pastes through ``/v1/chat``,
with a scripted model: a picture becomes a moment shown with its picture in the memories, a
pasted post is shared as a post, and a long text is kept whole."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from starlette.testclient import TestClient

from os1.testing import ScriptedLLM
from tests.server.conftest import Factory, csrf

SEED_POST = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "her-post-a.md"


def picture(colour: tuple[int, int, int] = (230, 120, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "PNG")
    return out.getvalue()


def ready(client: TestClient) -> dict[str, str]:
    assert client.get("/v1/session").status_code == 200
    return csrf(client)


def test_a_shared_picture_is_kept_and_shown_with_the_moment(make_client: Factory) -> None:
    client = make_client(ScriptedLLM("What warm light."))
    headers = ready(client)
    sent = client.post("/v1/share", params={"name": "beach.png", "note": "the beach"}, content=picture(),
                       headers={**headers, "Content-Type": "image/png"})
    assert sent.status_code == 200, sent.text
    body = sent.json()
    assert body["kind"] == "photo" and body["new"] and len(body["images"]) == 1
    assert body["said"] == "What warm light."
    items = client.get("/v1/memories").json()["items"]
    moment = next(m for m in items if m["id"] == body["moment_id"])
    assert moment["images"] == body["images"]
    image = client.get(f"/v1/images/{body['images'][0]}")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get("/v1/images/0123abcd").status_code == 404


def test_bad_shares_are_refused_in_one_line_and_keep_nothing(make_client: Factory) -> None:
    client = make_client()
    headers = ready(client)
    for kind, content, status in [("image/png", b"not a picture", 400), ("application/zip", b"PK", 415),
                                  ("image/png", b"", 400), ("text/markdown", b"\xff\xfe", 400)]:
        reply = client.post("/v1/share", content=content, headers={**headers, "Content-Type": kind})
        assert reply.status_code == status, (kind, reply.text)
        assert "\n" not in reply.json()["error"]
    assert client.get("/v1/memories").json()["items"] == []


def test_a_pasted_seed_post_is_shared_as_a_post_not_kept_as_words(make_client: Factory) -> None:
    client = make_client(ScriptedLLM("A film about a voice."))
    headers = ready(client)
    reply = client.post("/v1/chat", json={"text": SEED_POST.read_text()}, headers=headers)
    assert reply.status_code == 200, reply.text
    assert reply.json()["reply"]
    items = client.get("/v1/memories").json()["items"]
    assert not any("base64" in m["text"] for m in items)
    assert any(m["provenance"] == "shared" and m["images"] for m in items)


def test_a_long_plain_paste_is_kept_whole(make_client: Factory) -> None:
    client = make_client(ScriptedLLM("That is a lot to read."))
    headers = ready(client)
    text = "I wrote this letter over many nights. " * 1500  # about 57,000 characters
    reply = client.post("/v1/chat", json={"text": text}, headers=headers)
    assert reply.status_code == 200, reply.text
    kept = client.get(f"/v1/memories/{reply.json()['said_id']}").json()["item"]["text"]
    assert kept == text.strip()
