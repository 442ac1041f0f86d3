"""A server for the WebSocket audio transport: ``os1 talk --listen HOST:PORT`` serves
``/v1/voice`` (see ``os1.voice.transport``) with Starlette on uvicorn. The engines are loaded
once; each connection gets its own conversation with the same companion memory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from os1.config import VoiceSettings
from os1.runtime import Runtime, music_folder
from os1.voice.conversation import Conversation
from os1.voice.music import ComposedMusic
from os1.voice.stt import SpeechToText
from os1.voice.transport import SocketSession
from os1.voice.tts import TextToSpeech

PATH = "/v1/voice"


async def talk_over(ws: WebSocket, runtime: Runtime, stt: SpeechToText, tts: TextToSpeech,
                    voice: VoiceSettings, *, interactive: bool = False) -> None:
    """One spoken conversation over an accepted socket, with the user's companion (a session of
    its own) and music on request; then its learning is finished. ``os1 serve`` uses it too."""
    companion = await runtime.companion(interactive=interactive)
    music = ComposedMusic(runtime.store, music_folder(runtime.settings))
    conversation = Conversation(companion, stt, tts, voice, music=music)
    session = SocketSession(ws)
    conversation.pipeline.observers.append(session.observe)
    await session.run(conversation)
    await companion.drain()


def voice_app(runtime: Runtime, stt: SpeechToText, tts: TextToSpeech, voice: VoiceSettings) -> Starlette:
    """One user's voice endpoint. Conversations take turns: a second client waits for the first
    to hang up, since they share one companion and one local model."""
    one_at_a_time = asyncio.Lock()

    async def endpoint(ws: WebSocket) -> None:
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
