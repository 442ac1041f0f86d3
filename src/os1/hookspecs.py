"""Plugin hooks: every seam a third party would extend. Each hook takes a ``register`` callback;
built-ins use the same hooks (``os1.plugins.DEFAULT_PLUGINS``). An implementation may take any
subset of a hook's arguments, by name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("os1")
hookimpl = pluggy.HookimplMarker("os1")


@hookspec
def register_chat_backends(register: Callable[[str, Callable[..., Any]], None]) -> None:
    """Register chat-model factories by kind: ``register("openai", factory)``; the factory takes
    a ``ModelConfig`` and returns a ``ChatModel``."""


@hookspec
def register_embedders(register: Callable[[str, Callable[..., Any]], None]) -> None:
    """Register embedders by name (``memory.embedder``): ``register("minilm", factory)``; the
    factory takes the threads for one embedding (or None for the default) and returns an
    ``Embedder``."""


@hookspec
def register_tools(register: Callable[[Any], None]) -> None:
    """Register ``Tool`` objects the companion may call, the same for every user."""


@hookspec
def register_skill_tools(settings: Any, store: Any,
                         register: Callable[[Sequence[Any], Callable[[], Awaitable[None]] | None], None],
                         ) -> None:
    """Register the tools a skill (mail, calendar and contacts, music, ...) offers one user:
    ``register(tools, close)``. ``settings`` are the user's ``Settings`` (a skill whose account
    is not set up registers nothing), ``store`` their memory (see ``os1.memory.roles``); ``close``
    (or None) is awaited when the user's runtime closes."""


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
