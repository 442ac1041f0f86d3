"""A small client for the WebSocket audio transport (``os1 talk --connect URL``): it streams a
recording in real time and collects os1's voice on the same timeline, with the events."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import websockets

from os1.errors import VoiceError
from os1.voice.audio import RATE, Samples, from_pcm16, to_pcm16
from os1.voice.player import BLOCK


async def converse(url: str, recording: Samples, on_event: Callable[[dict[str, Any]], None],
                   tail_s: float = 60.0, *, key: str | None = None) -> Samples:
    """Send ``recording`` to a voice endpoint as if spoken now; return what came back, placed at
    the time it arrived. After the recording, waits until os1 is quiet (or ``tail_s``). ``key``
    (this machine's key, or an API token) goes as a bearer header."""
    timeline = np.zeros(recording.size + int(tail_s * RATE), dtype=np.float32)
    loop = asyncio.get_running_loop()
    start = loop.time()
    last_audio = [start]

    def place(data: bytes) -> None:
        audio = from_pcm16(data)
        at = int((loop.time() - start) * RATE) - audio.size
        at = max(0, min(at, timeline.size - audio.size))
        timeline[at:at + audio.size] += audio
        last_audio[0] = loop.time()

    try:
        headers = {"Authorization": f"Bearer {key}"} if key else None
        async with websockets.connect(url, max_size=1 << 22, additional_headers=headers) as ws:
            async def receive() -> None:
                async for message in ws:
                    if isinstance(message, bytes):
                        place(message)
                    else:
                        on_event(json.loads(message))

            receiving = asyncio.create_task(receive())
            for offset in range(0, recording.size, BLOCK):
                if (wait := start + offset / RATE - loop.time()) > 0:
                    await asyncio.sleep(wait)
                await ws.send(to_pcm16(recording[offset:offset + BLOCK]))
            await ws.send(json.dumps({"type": "end"}))
            await asyncio.wait_for(receiving, timeout=tail_s)
    except (OSError, websockets.InvalidURI, websockets.InvalidHandshake) as exc:
        raise VoiceError(f"cannot talk to {url}: {exc}") from None
    except (TimeoutError, websockets.ConnectionClosed):
        pass
    used = int((last_audio[0] - start) * RATE) + RATE
    return timeline[:max(recording.size, min(used, timeline.size))]
