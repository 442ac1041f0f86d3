"""Talking out loud over ``/v1/voice``: the WebSocket audio transport of docs/voice.md, for the
authenticated user. The speech recognizer is loaded once per worker, on the first call; each
conversation gets its own companion (its own session in memory), a voice shaped by the
user's wish, and music on request, as in ``os1 talk``."""

from __future__ import annotations

import asyncio
import contextlib
import io
from typing import Annotated

import numpy as np
import soundfile as sf
from fastapi import APIRouter, Depends, Request, Response, WebSocket
from starlette.websockets import WebSocketState

from os1.server.api.play import VoiceTable
from os1.server.api.schemas import VoiceChoice, Voices
from os1.server.api.sockets import accept, end_socket
from os1.server.auth import ApiError, Caller, caller, site_of
from os1.server.watch import watched
from os1.voice.audio import RATE
from os1.voice.engines import load_tts, voice_note
from os1.voice.server import talk_over
from os1.voice.tts import SAMPLE, STYLES, USUAL, Style, style_name

router = APIRouter(tags=["voice"])
Who = Annotated[Caller, Depends(caller)]


@router.get("/v1/voices", response_model=Voices)
async def voices(who: Who, request: Request) -> Voices:
    """The voices os1 can speak in with this server's engine, and which one the person chose."""
    site = site_of(request)
    async with site.spaces.use(who.user_id) as space:
        wish = (await space.store.profile()).get("voice")
    choices = [VoiceChoice(name=USUAL, about=Style().about),
               *(VoiceChoice(name=name, about=style.about) for name, style in STYLES.items())]
    return Voices(engine=site.settings.voice.tts, note=voice_note(site.settings.voice), voices=choices,
                  chosen=style_name(wish))


@router.get("/v1/voices/{name}/sample", response_class=Response,
            responses={200: {"content": {"audio/wav": {}}}})
async def sample(name: str, who: Who, request: Request) -> Response:
    """A line spoken in voice ``name`` by the engine a conversation would use (16 kHz WAV)."""
    if name != USUAL and name not in STYLES:
        raise ApiError(404, f"no voice {name[:40]!r}; GET /v1/voices lists them")
    settings = site_of(request).settings.voice
    tts = await asyncio.to_thread(load_tts, settings, None if name == USUAL else name)
    samples = await asyncio.to_thread(tts.synthesize, SAMPLE)
    out = io.BytesIO()
    sf.write(out, np.clip(samples, -1.0, 1.0), RATE, subtype="PCM_16", format="WAV")
    return Response(out.getvalue(), media_type="audio/wav",
                    headers={"cache-control": "private, max-age=3600"})


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
            # watched from the start: rights withdrawn while the voices load are not missed
            async with space.voice, watched(site, who, lambda: end_socket(ws)):
                stt = await site.voice()
                wish = (await space.store.profile()).get("voice")
                tts = await asyncio.to_thread(load_tts, site.settings.voice, wish)
                if ws.client_state == WebSocketState.CONNECTED:
                    await talk_over(ws, space.runtime, stt, tts, site.settings.voice,
                                    table=lambda tell: VoiceTable(site, who.user_id, tell))
    with contextlib.suppress(RuntimeError):
        await ws.close()
