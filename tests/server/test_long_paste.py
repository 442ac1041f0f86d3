"""A long paste never breaks a turn, through a real ``os1 serve`` on the bundled model (a
4096-token window): the seed post (11 KB, most of it an inline picture) and a 44 KB plain text
each get a reply over ``/v1/chat``; the post is kept as a shared moment with its picture, the
plain text whole, and nothing of the base64 as words."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.server.test_browser import serve

pytestmark = pytest.mark.integration
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def test_long_pastes_are_answered_by_the_bundled_model(tmp_path: Path) -> None:
    reviews = "\n\n".join(p.read_text() for p in sorted(SEEDS.glob("review-*.txt")))
    long_text = "\n\n".join([reviews] * 6)
    assert len(long_text) > 40_000
    with serve(tmp_path / "home", "multi") as base, httpx.Client(base_url=base, timeout=300) as client:
        client.get("/v1/session")
        reply = client.post("/v1/auth/register", json={"username": "theodore", "password": "correct horse"})
        assert reply.status_code == 201, reply.text
        headers = {"X-CSRF-Token": client.cookies.get("os1_csrf") or ""}

        post = client.post("/v1/chat", json={"text": (SEEDS / "her-post-a.md").read_text()}, headers=headers)
        assert post.status_code == 200, post.text
        assert post.json()["reply"].strip()
        plain = client.post("/v1/chat", json={"text": long_text}, headers=headers)
        assert plain.status_code == 200, plain.text
        assert plain.json()["reply"].strip()

        items = client.get("/v1/memories", params={"limit": 50}).json()["items"]
        assert not any("base64" in m["text"] for m in items)
        assert any(m["provenance"] == "shared" and m["images"] for m in items)
        kept = client.get(f"/v1/memories/{plain.json()['said_id']}").json()["item"]["text"]
        assert kept == long_text.strip()
