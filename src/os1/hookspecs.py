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
def register_tools(register: Callable[[Any], None]) -> None:
    """Register ``Tool`` objects the companion may call."""
