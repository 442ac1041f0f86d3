"""Every seam a third party extends goes through the plugin hooks, os1's own parts included."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any

import pytest

from os1.config import load_settings
from os1.errors import ConfigError
from os1.hookspecs import hookimpl
from os1.memory.embedding.embedders import load_embedder
from os1.plugins import plugin_manager, plugin_tools, skill_tools
from os1.testing import FakeEmbedder
from os1.tools.base import Tool, tool


async def wave() -> str:
    """Wave at the user."""
    return "waved"


class MyEmbedder(FakeEmbedder):
    model_id = "mine"


class Installed:
    """A third party's plugin: an embedder and a skill with one tool for each user."""

    def __init__(self) -> None:
        self.closed = 0

    @hookimpl
    def register_embedders(self, register: Callable[[str, Callable[..., Any]], None]) -> None:
        register("mine", lambda threads: MyEmbedder())

    @hookimpl
    def register_skill_tools(
            self, settings: Any, register: Callable[[Sequence[Tool], Callable[[], Awaitable[None]]], None],
    ) -> None:
        if settings.user == "ada":
            register([tool(wave)], self.close)

    async def close(self) -> None:
        self.closed += 1


@pytest.fixture
def installed() -> Iterator[Installed]:
    plugin = Installed()
    plugin_manager().register(plugin)
    yield plugin
    plugin_manager().unregister(plugin)


def test_an_installed_embedder_is_loaded_by_name(installed: Installed) -> None:
    assert isinstance(load_embedder("mine"), MyEmbedder)
    assert isinstance(load_embedder("hash"), FakeEmbedder)  # the built-ins use the same hook


def test_an_unknown_embedder_is_one_line_naming_the_default() -> None:
    with pytest.raises(ConfigError, match="unknown embedder 'nope': use 'minilm'"):
        load_embedder("nope")


async def test_a_skill_offers_its_tools_to_the_users_it_is_set_up_for(installed: Installed) -> None:
    tools, closers = skill_tools(load_settings(user="ada"), store=None)
    assert [t.name for t in tools] == ["wave", "compose"]  # the installed plugin first; music: no account
    for close in closers:
        await close()
    assert installed.closed == 1
    tools, closers = skill_tools(load_settings(user="bob"), store=None)
    assert [t.name for t in tools] == ["compose"] and closers == []


async def test_mail_and_calendar_register_only_once_their_accounts_are_set_up() -> None:
    tools, closers = skill_tools(load_settings(), store=None)
    assert [t.name for t in tools] == ["compose"] and closers == []
    settings = load_settings(mail={"address": "ada@example.org", "imap_host": "127.0.0.1"},
                             calendar={"url": "http://127.0.0.1:1/", "username": "ada", "password": "pw"})
    tools, closers = skill_tools(settings, store=None)
    names = [t.name for t in tools]
    assert len(closers) == 2
    assert names.index("mail_send") < names.index("calendar_add")  # mail first, as before
    for close in closers:
        await close()


def test_the_web_tool_is_offered_to_every_user() -> None:
    assert [t.name for t in plugin_tools()] == ["fetch_url"]
