"""Two os1 workers on one real PostgreSQL and one real Redis, as a site behind a load balancer
runs them: an account made on one works on the other, and what happens for a user on worker 1
(a turn, a due reminder) reaches their socket held by worker 2."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
import websockets

from os1.server.hub import CHANNEL
from os1.testing.servers import free_port, os1_server, postgres, redis_server
from tests.conftest import HANG_S, eventually

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str]]:
    """Two workers, and the URL of the Redis they share."""
    with postgres() as dsn, redis_server() as redis_url:
        env = {"OS1_SERVER__MODE": "multi", "OS1_MEMORY__BACKEND": "postgres",
               "OS1_MEMORY__POSTGRES_DSN": dsn, "OS1_SERVER__REDIS_URL": redis_url,
               "OS1_LLM__MAX_TOKENS": "16"}
        root = tmp_path_factory.mktemp("workers")
        with os1_server(root / "w1", free_port(), env, ("--worker", "w1")) as one, \
                os1_server(root / "w2", free_port(), env, ("--worker", "w2")) as two:
            yield one, two, redis_url


async def subscribed(redis_url: str, user_id: str) -> None:
    """Wait until a worker has subscribed to the user's channel on Redis (as one does when it
    holds a socket of theirs): from then on, what is published for the user reaches it."""
    channel = CHANNEL + user_id
    client = aioredis.from_url(redis_url)

    async def listening() -> bool:
        return any(int(n) >= 1 for _, n in await client.pubsub_numsub(channel))

    try:
        await eventually(listening, f"a worker to subscribe to {channel}")
    finally:
        await client.aclose()


async def _next(ws: Any, kind: str) -> dict[str, Any]:
    while True:
        event = json.loads(await asyncio.wait_for(ws.recv(), timeout=HANG_S))
        if event["type"] == kind:
            return dict(event)


async def test_what_happens_on_one_worker_reaches_a_socket_on_the_other(site: tuple[str, str, str]) -> None:
    one, two, redis_url = site
    async with httpx.AsyncClient(base_url=one, timeout=120) as first:
        assert (await first.get("/v1/health")).json()["worker"] == "w1"
        made = await first.post("/v1/auth/register",
                                json={"username": "theodore", "password": "correct horse"})
        assert made.status_code == 201, made.text
        cookie, csrf = first.cookies["os1_session"], first.cookies["os1_csrf"]
        headers = {"X-CSRF-Token": csrf}
        await first.put("/v1/settings", json={"quiet_hours": ""}, headers=headers)
        async with httpx.AsyncClient(base_url=two, cookies={"os1_session": cookie}, timeout=120) as second:
            me = await second.get("/v1/me")
            assert me.status_code == 200 and me.json()["username"] == "theodore"
        socket_url = two.replace("http", "ws") + "/v1/chat/ws"
        logged_in = {"Cookie": f"os1_session={cookie}"}
        async with websockets.connect(socket_url, additional_headers=logged_in, open_timeout=60) as ws:
            await subscribed(redis_url, me.json()["id"])  # worker 2 holds the socket
            reminder = await first.post("/v1/reminders", json={"text": "Call Amy", "in_seconds": 0},
                                        headers=headers)
            assert reminder.status_code == 201
            notice = await _next(ws, "notice")
            assert notice["kind"] == "reminder" and notice["text"] == "Call Amy"
            turn = await first.post("/v1/chat", json={"text": "Hello from my phone."}, headers=headers)
            assert turn.status_code == 200, turn.text
            notice = await _next(ws, "notice")
            assert notice["kind"] == "turn" and notice["said"] == "Hello from my phone."
            assert notice["reply_id"] == turn.json()["reply_id"]


async def test_memories_written_on_one_worker_are_read_on_the_other(site: tuple[str, str, str]) -> None:
    one, two, _ = site
    async with httpx.AsyncClient(base_url=one, timeout=120) as first:
        await first.post("/v1/auth/register", json={"username": "amy", "password": "correct horse"})
        headers = {"X-CSRF-Token": first.cookies["os1_csrf"]}
        said = (await first.post("/v1/chat", json={"text": "I am making a game about a mother."},
                                 headers=headers)).json()
        session = {"os1_session": first.cookies["os1_session"]}
        async with httpx.AsyncClient(base_url=two, cookies=session, timeout=120) as second:
            shown = await second.get(f"/v1/memories/{said['said_id']}")
            assert shown.status_code == 200 and "game" in shown.json()["item"]["text"]
            gone = await second.delete(f"/v1/memories/{said['said_id']}", headers=headers)
            assert gone.status_code == 204
        assert (await first.get(f"/v1/memories/{said['said_id']}")).status_code == 404


async def test_a_ticket_from_one_worker_opens_a_socket_on_the_other_once(site: tuple[str, str, str]) -> None:
    """Tickets and tokens live in PostgreSQL: a ticket asked of worker 1 opens a socket on
    worker 2, once; revoking the token on worker 1 closes a socket it opened on worker 2."""
    one, two, redis_url = site
    async with httpx.AsyncClient(base_url=one, timeout=120) as first:
        me = await first.post("/v1/auth/register", json={"username": "samantha", "password": "correct horse"})
        headers = {"X-CSRF-Token": first.cookies["os1_csrf"]}
        token = (await first.post("/v1/tokens", json={"name": "phone"}, headers=headers)).json()
        bearer = {"Authorization": f"Bearer {token['token']}"}
        ticket = (await first.post("/v1/sockets/ticket", headers=bearer)).json()["ticket"]
        socket_url = two.replace("http", "ws") + "/v1/chat/ws"
        async with websockets.connect(f"{socket_url}?ticket={ticket}", open_timeout=60) as ws:
            await subscribed(redis_url, me.json()["id"])
            with pytest.raises(websockets.InvalidStatus):  # used once already
                await websockets.connect(f"{socket_url}?ticket={ticket}", open_timeout=60)
            revoked = await first.delete(f"/v1/tokens/{token['id']}", headers=headers)
            assert revoked.status_code == 204
            assert (await _next(ws, "error"))["message"].startswith("your session has ended")
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), timeout=HANG_S)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


def test_a_worker_without_its_redis_says_so(tmp_path: Path) -> None:
    port = free_port()
    env = {"OS1_SERVER__MODE": "multi", "OS1_SERVER__REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
    with pytest.raises(RuntimeError, match="cannot reach Redis"):
        with os1_server(tmp_path / "w", port, env):
            pass


async def test_a_workers_data_directory_holds_nothing_an_account_needs(
        site: tuple[str, str, str], tmp_path_factory: pytest.TempPathFactory) -> None:
    """The site's key and every held action live in PostgreSQL: after an account is made and has
    talked, neither worker's data directory holds a server secret or an action ledger."""
    one, _, _ = site
    async with httpx.AsyncClient(base_url=one, timeout=120) as first:
        await first.post("/v1/auth/register", json={"username": "catherine", "password": "correct horse"})
        headers = {"X-CSRF-Token": first.cookies["os1_csrf"]}
        turn = await first.post("/v1/chat", json={"text": "Good morning."}, headers=headers)
        assert turn.status_code == 200, turn.text
    homes = [h for root in tmp_path_factory.getbasetemp().glob("workers*") for h in root.iterdir()]
    assert {h.name for h in homes} >= {"w1", "w2"}
    kept = [p.relative_to(h) for h in homes for p in h.rglob("*")
            if p.name == "server-secret" or p.name.startswith("actions.sqlite3")]
    assert kept == []


async def test_a_game_goes_on_whichever_worker_a_line_reaches(site: tuple[str, str, str]) -> None:
    """The Play view's lines alternate between the workers: every move is kept as it is made,
    each worker takes up the latest state under the person's game lock, and the game is the
    same, screen for screen, as the same lines played on one worker."""
    one, two, _ = site
    lines = ["no", "east", "take lamp", "you go", "west", "south", "where is the keys?", "look"]

    async def account(name: str) -> tuple[httpx.AsyncClient, dict[str, str]]:
        client = httpx.AsyncClient(base_url=one, timeout=120)
        await client.post("/v1/auth/register", json={"username": name, "password": "correct horse"})
        headers = {"X-CSRF-Token": client.cookies["os1_csrf"]}
        opened = await client.post("/v1/play", json={"game": "adventure", "seed": 7, "new": True},
                                   headers=headers)
        assert opened.status_code == 200, opened.text
        return client, headers

    alone, alone_headers = await account("ada")
    first, headers = await account("grace")
    second = httpx.AsyncClient(base_url=two, cookies={"os1_session": first.cookies["os1_session"]},
                               timeout=120)
    try:
        for n, line in enumerate(lines):
            played = await (second if n % 2 == 0 else first).post("/v1/play/say", json={"line": line},
                                                                  headers=headers)
            solo = await alone.post("/v1/play/say", json={"line": line}, headers=alone_headers)
            assert played.status_code == solo.status_code == 200, played.text
            assert played.json()["answer"] == solo.json()["answer"], line
        view = (await second.get("/v1/play")).json()["open"]
        solo_view = (await alone.get("/v1/play")).json()["open"]
        assert _unordered(view) == _unordered(solo_view) and view["places"] >= 3
        both = await asyncio.gather(*(client.post("/v1/play/say", json={"line": line}, headers=headers)
                                      for client, line in ((first, "inventory"), (second, "score"))))
        assert [reply.status_code for reply in both] == [200, 200]  # one after the other, on the lock
        kept = [json.loads(row) for row in (await first.get("/v1/memories/export")).text.splitlines()]
        games = [row["moment"]["data"] for row in kept if row.get("moment", {}).get("kind") == "game"]
        assert len(games) == 1  # one session, one moment, every move in it once
        moves = games[0]["save"]["moves"]
        assert moves[:7] == ["no", "east", "take lamp", "take keys", "west", "south", "look"]
        assert sorted(moves[7:]) == ["inventory", "score"]
        assert (await second.delete("/v1/play", headers=headers)).status_code == 204
        assert (await first.get("/v1/play")).json()["open"] is None  # left on one: left on both
    finally:
        for client in (alone, first, second):
            await client.aclose()


def _unordered(view: dict[str, Any]) -> dict[str, Any]:
    """A view with its map's things as a set (a map read back from its save lists them sorted)."""
    lines = view["map"].replace("Things: ", "").splitlines()
    return {**view, "map": {part for line in lines for part in line.split("; ")}}
