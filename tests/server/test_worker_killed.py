"""A worker killed in the middle of a reply (SIGKILL: nothing runs at the kill) drops its sockets
without a close frame, which the client shows as a reply cut off (abnormal closure, 1006); the
part of the reply already streamed was stored as it streamed, so a restarted server shows it,
marked interrupted. In single mode on SQLite and in multi mode on PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from os1.access import local_key
from os1.testing.servers import free_port, os1_server
from tests.conftest import HANG_S

pytestmark = pytest.mark.integration
LONG = {"OS1_LLM__MAX_TOKENS": "400", "OS1_LLM__TEMPERATURE": "0"}
ASK = "Tell me a long story about a lighthouse keeper and the sea."


async def _streamed_then_killed(url: str, headers: dict[str, str]) -> str:
    """Ask for a long reply, kill the worker once two chunks of it have arrived; the words the
    client was shown."""
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=HANG_S) as client:
        pid = int((await client.get("/v1/health")).json()["worker"].rsplit("-", 1)[1])
    shown: list[str] = []
    async with websockets.connect(url.replace("http", "ws") + "/v1/chat/ws",
                                  additional_headers=headers, open_timeout=HANG_S) as ws:
        await ws.send(json.dumps({"type": "say", "text": ASK}))
        while len(shown) < 2:
            event = json.loads(await asyncio.wait_for(ws.recv(), timeout=HANG_S))
            assert event["type"] in ("recalled", "delta"), event
            if event["type"] == "delta":
                shown.append(event["text"])
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(websockets.ConnectionClosedError) as closed:
            while True:
                event = json.loads(await asyncio.wait_for(ws.recv(), timeout=HANG_S))
                assert event["type"] == "delta", event  # never a "done": the reply did not end
                shown.append(event["text"])
    assert closed.value.rcvd is None  # no close frame: the client shows a reply cut off
    return "".join(shown).strip()


async def _replies(url: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=HANG_S) as client:
        said = (await client.get("/v1/memories", params={"kind": "utterance"})).json()["items"]
    return [m for m in said if m["role"] == "assistant"]


def _same_start(kept: str, shown: str) -> bool:
    """What was kept and what was shown are one reply cut at two points."""
    return bool(kept) and (kept.startswith(shown) or shown.startswith(kept))


async def test_single_mode_keeps_the_part_of_a_killed_reply(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with os1_server(home, free_port(), LONG) as url:
        key = {"Authorization": f"Bearer {local_key(home)}"}
        shown = await _streamed_then_killed(url, key)
    with os1_server(home, free_port(), LONG) as url:
        [reply] = await _replies(url, key)
    assert reply["status"] == "interrupted" and _same_start(reply["text"], shown), (reply, shown)


async def test_multi_mode_on_postgres_keeps_the_part_of_a_killed_reply(tmp_path: Path,
                                                                       pg_dsn: str) -> None:
    env = {**LONG, "OS1_SERVER__MODE": "multi", "OS1_MEMORY__BACKEND": "postgres",
           "OS1_MEMORY__POSTGRES_DSN": pg_dsn}
    login = {"username": f"killed-{os.getpid()}", "password": "correct horse"}
    home = tmp_path / "worker"
    with os1_server(home, free_port(), env) as url:
        async with httpx.AsyncClient(base_url=url, timeout=HANG_S) as client:
            made = await client.post("/v1/auth/register", json=login)
            assert made.status_code == 201, made.text
            cookie = {"Cookie": f"os1_session={client.cookies['os1_session']}"}
        shown = await _streamed_then_killed(url, cookie)
    with os1_server(home, free_port(), env) as url:
        [reply] = await _replies(url, cookie)  # the session outlives the worker (it is in the database)
    assert reply["status"] == "interrupted" and _same_start(reply["text"], shown), (reply, shown)
