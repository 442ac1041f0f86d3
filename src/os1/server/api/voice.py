"""Talking out loud over ``/v1/voice``: the WebSocket audio transport of docs/voice.md, for the
authenticated user. The speech recognizer is loaded once per worker, on the first call; each
conversation gets its own companion (its own session in memory), a voice shaped by the
user's wish, and music on request, as in ``os1 talk``."""

from __future__ import annotations

import asyncio
import contextlib

from fastapi import APIRouter, WebSocket

from os1.server.api.chat import accept, end_socket
from os1.server.auth import site_of
from os1.server.watch import watched
from os1.voice.engines import load_tts
from os1.voice.server import talk_over

router = APIRouter(tags=["voice"])


@router.websocket("/v1/voice")
async def voice_socket(ws: WebSocket) -> None:
    who = await accept(ws)
    if who is None:
        return
    site = site_of(ws)
    async with site.spaces.use(who.user_id) as space:
        if space.voice.locked():
            busy = "another spoken conversation is open; hang it up first"
            await ws.send_json({"type": "error", "message": busy})
        else:
            async with space.voice:
                stt = await site.voice()
                wish = (await space.store.profile()).get("voice")
                tts = await asyncio.to_thread(load_tts, site.settings.voice, wish)
                async with watched(site, who, lambda: end_socket(ws)):
                    await talk_over(ws, space.runtime, stt, tts, site.settings.voice)
    with contextlib.suppress(RuntimeError):
        await ws.close()
