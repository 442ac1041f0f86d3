"""A worker stopped in the middle of a reply (a deploy, a scale-down: SIGTERM) closes its
sockets with a close frame the client can show (1012, service restart), and the part of the
reply already streamed is kept as interrupted, as a stopped turn is in single mode."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path

import httpx
import pytest
import websockets

from os1.testing.servers import free_port, os1_server
from tests.conftest import HANG_S

pytestmark = pytest.mark.integration
ENV = {"OS1_SERVER__MODE": "multi", "OS1_LLM__MAX_TOKENS": "400"}
LOGIN = {"username": "theodore", "password": "correct horse"}


async def test_a_worker_stopped_mid_reply_closes_with_a_frame_and_keeps_the_part(tmp_path: Path) -> None:
    home = tmp_path / "worker"
    with os1_server(home, free_port(), ENV) as url:
        async with httpx.AsyncClient(base_url=url, timeout=120) as client:
            made = await client.post("/v1/auth/register", json=LOGIN)
            assert made.status_code == 201, made.text
            pid = int((await client.get("/v1/health")).json()["worker"].rsplit("-", 1)[1])
            cookie = {"Cookie": f"os1_session={client.cookies['os1_session']}"}
        socket_url = url.replace("http", "ws") + "/v1/chat/ws"
        async with websockets.connect(socket_url, additional_headers=cookie, open_timeout=60) as ws:
            await ws.send(json.dumps({"type": "say", "text": "Tell me a long story about a lighthouse."}))
            while json.loads(await asyncio.wait_for(ws.recv(), timeout=HANG_S))["type"] != "delta":
                pass
            os.kill(pid, signal.SIGTERM)
            with pytest.raises(websockets.ConnectionClosed) as closed:
                while True:
                    await asyncio.wait_for(ws.recv(), timeout=HANG_S)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
    with os1_server(home, free_port(), ENV) as url:
        async with httpx.AsyncClient(base_url=url, timeout=120) as client:
            assert (await client.post("/v1/auth/login", json=LOGIN)).status_code == 200
            said = (await client.get("/v1/memories", params={"kind": "utterance"})).json()["items"]
    assert [m["status"] for m in said if m["status"] == "interrupted"] == ["interrupted"]
