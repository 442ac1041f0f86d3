"""Plugin hooks. Each hook takes a ``register`` callback; built-ins use the same hooks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("os1")
hookimpl = pluggy.HookimplMarker("os1")


@hookspec
def register_chat_backends(register: Callable[[str, Callable[..., Any]], None]) -> None:
    """Register chat-model factories by kind: ``register("openai", factory)``; the factory takes
    a ``ModelConfig`` and returns a ``ChatModel``."""


@hookspec
def register_tools(register: Callable[[Any], None], store: Any, settings: Any) -> None:
    """Register ``Tool`` objects the companion may call, for the user whose ``MemoryStore`` and
    ``Settings`` it is built with (an implementation may take only ``register``)."""


@hookspec
def register_voice_engines(stt: Callable[[str, Callable[..., Any]], None],
                           tts: Callable[[str, Callable[..., Any]], None]) -> None:
    """Register speech engines by name: ``stt("whisper", factory)``, ``tts("piper", factory)``.
    Each factory takes the ``VoiceSettings`` and the user's wish for the voice (from onboarding)
    and returns a ``SpeechToText`` or ``TextToSpeech``."""


@hookspec
def register_games(register: Callable[[str, Callable[[], Any]], None]) -> None:
    """Register text games by name: ``register("adventure", factory)``; the factory returns a
    fresh ``os1.games.base.Game``, and ``os1 play NAME`` plays it with os1's map, suggestions,
    tools and kept sessions."""
