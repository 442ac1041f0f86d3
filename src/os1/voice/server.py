"""A server for the WebSocket audio transport: ``os1 talk --listen HOST:PORT`` serves
``/v1/voice`` (see ``os1.voice.transport``) with Starlette on uvicorn. The engines are loaded
once; each connection gets its own conversation with the same companion memory.

It has no accounts, so it keeps to the rules of ``os1 serve``'s single mode: only this machine
(loopback host names), no other site's pages (the ``Origin`` check), and only a caller that
shows this machine's key (``os1.access``) as ``Authorization: Bearer KEY``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from os1.access import bearer, is_loopback, same_origin, shows_key
from os1.asking.answers import Asking
from os1.config import VoiceSettings
from os1.music.folder import music_folder
from os1.runtime import Runtime
from os1.voice.conversation import Conversation
from os1.voice.music import ComposedMusic
from os1.voice.playing import PlayLink, SharedTable
from os1.voice.stt import SpeechToText
from os1.voice.transport import SocketSession
from os1.voice.tts import TextToSpeech

PATH = "/v1/voice"


async def talk_over(ws: WebSocket, runtime: Runtime, stt: SpeechToText, tts: TextToSpeech,
                    voice: VoiceSettings, *, interactive: bool = False,
                    table: Callable[[Callable[[dict[str, Any]], None]], SharedTable] | None = None) -> None:
    """One spoken conversation over an accepted socket, with the user's companion (a session of
    its own) and music on request; then its learning is finished. ``os1 serve`` uses it too,
    with ``table``: the person's Play-view game, made with the session's way to tell the
    client (``PlayLink``: while the client says the Play view is open, game lines go there)."""
    companion = await runtime.companion(interactive=interactive)
    music = ComposedMusic(runtime.store, music_folder(runtime.settings))
    conversation = Conversation(companion, stt, tts, voice, music=music,
                                asking=Asking.of(runtime, companion))
    session = SocketSession(ws)
    conversation.pipeline.observers.append(session.observe)
    link = PlayLink(table(session.send), conversation.reply, session.send) if table is not None else None
    await session.run(conversation, link.control if link is not None else None)
    await companion.drain()


def admitted(ws: WebSocket, key: str) -> bool:
    """This machine, no other site's page, and the machine's key."""
    host = ws.headers.get("host", "")
    return (is_loopback(host) and same_origin(ws.headers.get("origin"), host)
            and shows_key(bearer(ws.headers.get("authorization", "")), key))


def voice_app(runtime: Runtime, stt: SpeechToText, tts: TextToSpeech, voice: VoiceSettings,
              key: str) -> Starlette:
    """One user's voice endpoint, for callers that show ``key``. Conversations take turns: a
    second client waits for the first to hang up, since they share one companion and one model."""
    one_at_a_time = asyncio.Lock()

    async def endpoint(ws: WebSocket) -> None:
        if not admitted(ws, key):
            await ws.close(code=1008)  # refused before the handshake: HTTP 403
            return
        await ws.accept()
        async with one_at_a_time:
            await talk_over(ws, runtime, stt, tts, voice, interactive=True)
        await ws.close()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        companion = await runtime.companion(interactive=True)
        await companion.warm_up()
        yield

    return Starlette(routes=[WebSocketRoute(PATH, endpoint)], lifespan=lifespan)
