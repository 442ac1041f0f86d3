"""The plugin manager: built-in plugins and installed ones (entry-point group ``os1``).

Implementations of a hook are called newest-registered first: installed plugins before the
built-ins, and the built-ins in reverse order of ``DEFAULT_PLUGINS``.

``OS1_LOAD_PLUGINS`` pins the installed set (an empty value loads none). A plugin that fails to
import is logged once and skipped, so one broken plugin does not stop the companion.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from functools import cache
from typing import Any

import pluggy

from os1 import hookspecs

log = logging.getLogger(__name__)

# called last first: music's compose, then the mail tools, then the calendar's, then MCP
# servers' tools, as the companion lists them
DEFAULT_PLUGINS = ("os1.llm.backends", "os1.voice.engines", "os1.memory.embedding.embedders", "os1.tools.web",
                   "os1.agents.plugin", "os1.games.plugin", "os1.dav.plugin", "os1.mail.plugin",
                   "os1.music.tools")


@cache
def plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager("os1")
    pm.add_hookspecs(hookspecs)
    for name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(name), name)
    pinned = os.environ.get("OS1_LOAD_PLUGINS")
    if pinned is None:
        _load_entry_points(pm)
    else:
        for name in filter(None, (n.strip() for n in pinned.split(","))):
            _load_module(pm, name)
    return pm


def _load_entry_points(pm: pluggy.PluginManager) -> None:
    try:
        pm.load_setuptools_entrypoints("os1")
    except Exception as exc:  # a broken third-party plugin must not stop os1
        log.warning("skipped os1 plugins: %s", exc)


def _load_module(pm: pluggy.PluginManager, name: str) -> None:
    try:
        pm.register(importlib.import_module(name), name)
    except Exception as exc:
        log.warning("skipped plugin %s: %s", name, exc)


def plugin_tools() -> list[Any]:
    """``Tool`` objects registered by plugins, the same for every user."""
    found: list[Any] = []
    plugin_manager().hook.register_tools(register=found.append)
    return found


Closer = Callable[[], Awaitable[None]]


def skill_tools(settings: Any, store: Any) -> tuple[list[Any], list[Closer]]:
    """The tools skills offer one user (their ``Settings`` and memory), and what closes them."""
    tools: list[Any] = []
    closers: list[Closer] = []

    def register(more: Sequence[Any], close: Closer | None = None) -> None:
        tools.extend(more)
        if close is not None:
            closers.append(close)

    plugin_manager().hook.register_skill_tools(settings=settings, store=store, register=register)
    return tools, closers


def embedders() -> dict[str, Callable[..., Any]]:
    """Embedder factories by name, from every plugin."""
    found: dict[str, Callable[..., Any]] = {}
    plugin_manager().hook.register_embedders(register=found.__setitem__)
    return found


def chat_backends() -> dict[str, Callable[..., Any]]:
    """Model factories by kind, from every plugin."""
    found: dict[str, Callable[..., Any]] = {}
    plugin_manager().hook.register_chat_backends(register=found.__setitem__)
    return found


def voice_engines() -> tuple[dict[str, Callable[..., Any]], dict[str, Callable[..., Any]]]:
    """Speech-to-text and text-to-speech factories by name, from every plugin."""
    stt: dict[str, Callable[..., Any]] = {}
    tts: dict[str, Callable[..., Any]] = {}
    plugin_manager().hook.register_voice_engines(stt=stt.__setitem__, tts=tts.__setitem__)
    return stt, tts


def game_factories() -> dict[str, Callable[[], Any]]:
    """Text games by name (each factory makes a fresh ``Game``), from every plugin."""
    found: dict[str, Callable[[], Any]] = {}
    plugin_manager().hook.register_games(register=found.__setitem__)
    return found
