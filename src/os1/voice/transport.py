"""The WebSocket audio transport: a spoken conversation over one socket (docs/voice.md).

Client to server: binary messages of 16 kHz mono 16-bit little-endian PCM, sent as recorded
(any size; 20 ms is typical), and text messages of JSON: ``{"type": "end"}`` says the user is
done (os1 finishes its answer, then closes).
Server to client: binary messages of the same PCM, os1's voice in 20 ms blocks at the pace it
should be played (only blocks with sound are sent), and JSON events: ``heard`` (the user's words),
``say`` (a piece of the reply, as it is spoken), ``paused`` / ``stopped`` (drop any audio still
buffered: the user spoke over os1), ``resumed``, ``saved`` (a reply went into memory as heard),
``error``.

The conversation runs on the server's clock; a stream time is derived from the samples received,
so a client that sends in real time needs no clock of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import numpy as np
from starlette.websockets import WebSocket, WebSocketDisconnect

from os1.voice.audio import RATE, from_pcm16, to_pcm16
from os1.voice.conversation import Conversation
from os1.voice.devices import clocked_output
from os1.voice.events import event_for
from os1.voice.frames import AudioIn, Frame
from os1.voice.player import BLOCK

log = logging.getLogger(__name__)
MAX_MESSAGE = 1 << 20  # one message of audio: 32 s; anything bigger is refused


Control = Callable[[dict[str, Any]], Awaitable[None]]


async def socket_audio(ws: WebSocket, report: Callable[[str], None],
                       control: Control | None = None) -> AsyncIterator[AudioIn]:
    """Audio frames from the client until it says ``end`` or goes away; with ``control``, its
    ``{"type": "play", "on": bool}`` messages are handed to it (the web app's Play view)."""
    received = 0
    pending = np.zeros(0, dtype=np.float32)
    while True:
        try:
            message = await ws.receive()
        except (WebSocketDisconnect, RuntimeError):
            return
        if message["type"] == "websocket.disconnect":
            return
        if (data := message.get("bytes")) is not None:
            if len(data) > MAX_MESSAGE:
                report(f"an audio message of {len(data):,} bytes is too big (limit {MAX_MESSAGE:,})")
                continue
            pending = np.concatenate([pending, from_pcm16(data)])
            while pending.size >= BLOCK:
                block, pending = pending[:BLOCK], pending[BLOCK:]
                yield AudioIn(block, received / RATE)
                received += BLOCK
        elif (text := message.get("text")) is not None:
            said = _control(text, report, playing=control is not None)
            if said is not None and said["type"] == "end":
                return
            if said is not None and control is not None:
                await control(said)


def _control(text: str, report: Callable[[str], None], *, playing: bool) -> dict[str, Any] | None:
    """A control message, or None (and one line reported) when it is not one."""
    try:
        said = json.loads(text)
        kind = said.get("type")
    except (ValueError, AttributeError):
        report("a text message must be a JSON object such as {\"type\": \"end\"}")
        return None
    if kind == "end" or (playing and kind == "play"):
        return dict(said)
    expected = '"end" or "play"' if playing else '"end"'
    report(f"unknown message type {kind!r} (expected {expected})")
    return None


class SocketSession:
    """One client's conversation over a WebSocket that has been accepted."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.outbox: asyncio.Queue[bytes | str] = asyncio.Queue()

    def observe(self, frame: Frame) -> None:
        if (event := event_for(frame)) is not None:
            self.outbox.put_nowait(json.dumps(event))

    def report(self, message: str) -> None:
        self.outbox.put_nowait(json.dumps({"type": "error", "message": message}))

    def send(self, event: dict[str, Any]) -> None:
        """An event of the session's own for the client (the game's answer, the Play link)."""
        self.outbox.put_nowait(json.dumps(event))

    def play(self, block: np.ndarray) -> None:
        if block.any():
            self.outbox.put_nowait(to_pcm16(block))

    async def _send(self) -> None:
        while True:
            message = await self.outbox.get()
            try:
                if isinstance(message, bytes):
                    await self.ws.send_bytes(message)
                else:
                    await self.ws.send_text(message)
            finally:
                self.outbox.task_done()

    async def run(self, conversation: Conversation, control: Control | None = None) -> None:
        sender = asyncio.create_task(self._send())
        playing = asyncio.create_task(clocked_output(conversation.player, conversation.clock, self.play))
        try:
            await conversation.run(socket_audio(self.ws, self.report, control))
            await asyncio.wait_for(self.outbox.join(), timeout=10)  # the last words and events
        except (WebSocketDisconnect, RuntimeError, TimeoutError) as exc:
            log.info("voice client went away: %s", exc)
        finally:
            for task in (playing, sender):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
                    await task
