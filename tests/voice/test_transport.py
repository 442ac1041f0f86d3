"""The WebSocket audio transport against a real `os1 talk --listen` server process on loopback
(the bundled model), with the small client."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from os1.access import local_key
from os1.testing.servers import free_port
from os1.voice.audio import silence
from os1.voice.client import converse
from os1.voice.tts import TextToSpeech
from tests.conftest import wait_until

from .conftest import script

pytestmark = pytest.mark.integration


@pytest.fixture
def server(os1_home: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "OS1_LLM__MAX_TOKENS": "16"}
    proc = subprocess.Popen([sys.executable, "-m", "os1", "talk", "--listen", f"127.0.0.1:{port}"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def listening() -> bool:
        if proc.poll() is not None:
            pytest.fail(f"the voice server exited: {proc.stdout.read() if proc.stdout else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return True
        except OSError:
            return False

    try:
        wait_until(listening, "the voice server to listen")
        yield f"ws://127.0.0.1:{port}/v1/voice"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _key(os1_home: Path) -> dict[str, str]:
    return {"Authorization": f"Bearer {local_key(os1_home)}"}


async def test_only_this_machines_key_and_pages_get_in(server: str, os1_home: Path) -> None:
    for headers in ({}, {"Authorization": "Bearer guess"}, {**_key(os1_home), "Origin": "https://evil.example"}):
        with pytest.raises(InvalidStatus) as refused:
            async with websockets.connect(server, additional_headers=headers):
                pass
        assert refused.value.response.status_code == 403


async def test_a_conversation_over_the_socket(server: str, user_voice: TextToSpeech, os1_home: Path) -> None:
    events: list[dict[str, Any]] = []
    recording = script(user_voice, 0.3, "I love walking by the ocean.", 1.0)
    audio = await converse(server, recording, events.append, tail_s=40.0, key=local_key(os1_home))
    kinds = [e["type"] for e in events]
    assert "heard" in kinds and "say" in kinds and "saved" in kinds
    heard = next(e for e in events if e["type"] == "heard")
    assert "ocean" in heard["text"].lower()
    saved = next(e for e in events if e["type"] == "saved")
    assert saved["text"] and not saved["interrupted"]
    spoken = audio[recording.size // 2:]
    assert float(np.sqrt(np.mean(spoken ** 2))) > 0.005  # os1's voice came back
    command = [sys.executable, "-m", "os1", "memory", "list", "--json"]
    memory = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, timeout=60)
    assert any("ocean" in json.loads(line)["text"].lower() for line in memory.stdout.splitlines())


async def test_bad_messages_get_error_events_and_the_session_goes_on(server: str, os1_home: Path) -> None:
    async with websockets.connect(server, additional_headers=_key(os1_home)) as ws:
        await ws.send("this is not json")
        await ws.send(json.dumps({"type": "dance"}))
        await ws.send(b"\x01" * (2 << 20))
        await ws.send((silence(0.5) * 0).astype("<i2").tobytes())
        await ws.send(json.dumps({"type": "end"}))
        errors = []
        async for message in ws:
            if isinstance(message, str) and json.loads(message)["type"] == "error":
                errors.append(json.loads(message)["message"])
    assert len(errors) == 3 and all("\n" not in e for e in errors)
