"""Everything one os1 process needs for one user, built from ``Settings`` at an entry point:
the chat model, the embedder, the memory store, the guard, the persona and the companion with
its tools (memory's and music's here; every other skill's through the plugin hooks)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from typing import Any

from os1.agent.companion import Companion, TurnSettings
from os1.agent.pasted import SharedPost
from os1.agent.persona import Persona
from os1.config import Settings
from os1.errors import ConfigError
from os1.files import private_dir
from os1.inner.growth import Growth
from os1.inner.life import InnerLife
from os1.letters.keeping import LetterStore, letters_dir
from os1.letters.studio import Studio
from os1.letters.tools import letter_tools
from os1.llm.backends import build_model
from os1.llm.base import ChatModel
from os1.memory.base import Embedder
from os1.memory.embedding.embedders import load_embedder
from os1.memory.sqlite import SQLiteMemory, store_path
from os1.memory.store.memory import Memory
from os1.music.folder import music_folder
from os1.plugins import plugin_tools, skill_tools
from os1.safety.guard import Guard, Limits
from os1.safety.ledger import ActionLedger, Rows
from os1.share.sharing import Sharing
from os1.tools.base import Tool
from os1.tools.memory import memory_tools


async def open_store(settings: Settings, embedder: Embedder | None = None,
                     pool: Any | None = None) -> Memory:
    """The configured user's store: a SQLite file (encrypted if a key is set), or their rows in
    a shared PostgreSQL database. A server passes the embedder (and connection pool) that all
    its users share."""
    embedder = embedder or load_embedder(settings.memory.embedder, settings.memory.embedder_threads or None)
    memory = settings.memory
    if memory.backend == "postgres":
        if memory.postgres_dsn is None:
            raise ConfigError("memory.backend is postgres: set memory.postgres_dsn too")
        try:
            from os1.memory.postgres import PostgresMemory
        except ImportError:
            raise ConfigError("the postgres backend needs its extra: pip install 'os1[postgres]'") from None

        store = await PostgresMemory.open(pool or memory.postgres_dsn.get_secret_value(), settings.user,
                                          embedder)
        store.files_dir = music_folder(settings)  # pieces' files stay on this machine
        return store
    key = memory.encryption_key
    path = store_path(settings.home, settings.user)
    sqlite = await SQLiteMemory.open(path, embedder, key.get_secret_value() if key else None)
    # the store made its folders 0700; the data directory and the users' folder above it are
    # tightened too, if an older version left them open
    await asyncio.to_thread(private_dir, path.parent.parent, settings.home)
    return sqlite


def turn_settings(settings: Settings, model_name: str) -> TurnSettings:
    mode = settings.memory.extraction
    capable = settings.llm.models[model_name].is_capable
    return TurnSettings(
        max_input_chars=settings.chat.max_input_chars,
        memory_budget_tokens=settings.memory.context_budget_tokens,
        history_tokens=settings.memory.history_tokens,
        search_k=settings.memory.search_k,
        half_life_days=settings.memory.recency_half_life_days,
        max_tokens=settings.llm.max_tokens,
        temperature=settings.llm.temperature,
        rule_extraction=mode in ("auto", "rules", "both"),
        llm_extraction=mode in ("llm", "both") or (mode == "auto" and capable),
    )


def open_guard(settings: Settings, rows: Rows | None = None) -> Guard:
    """The user's guard, with its action ledger where their memory is: a file beside a SQLite
    store, or their rows in the PostgreSQL database (on ``rows``, a server's shared pool, or a
    pool of its own for one command), which any worker of a site reads."""
    memory = settings.memory
    if rows is None and memory.backend == "postgres" and memory.postgres_dsn is not None:
        from os1.safety.ledger_postgres import PostgresRows

        rows = PostgresRows.open(memory.postgres_dsn.get_secret_value(), size=1)
    if rows is not None:
        ledger = ActionLedger(rows=rows, owner=settings.user)
    else:
        ledger = ActionLedger(settings.home / "users" / settings.user / "actions.sqlite3")
    return Guard(ledger, limits=Limits(settings.mail.outbound_per_hour, settings.mail.outbound_per_day))


@dataclass
class Runtime:
    settings: Settings
    store: Memory
    model_name: str
    _model: ChatModel | None = None
    _closers: list[Any] = field(default_factory=list)
    shared_model: bool = False  # a server's model, serving many users: not closed with the runtime
    ledger_rows: Rows | None = None  # a server's shared PostgreSQL ledger rows (os1.safety)

    @classmethod
    async def open(cls, settings: Settings, model_name: str | None = None) -> Runtime:
        name = model_name or settings.llm.default
        if name not in settings.llm.models:
            have = ", ".join(sorted(settings.llm.models))
            raise ConfigError(f"no model named {name!r} (configured: {have}); see `os1 models`")
        return cls(settings, await open_store(settings), name)

    @property
    def model(self) -> ChatModel:
        """The chat model, built on first use (memory commands never load it)."""
        if self._model is None:
            self._model = build_model(self.settings.llm.models[self.model_name])
        return self._model

    def use_model(self, name: str, model: ChatModel) -> None:
        """Switch to another (shared) model, as a server does when the user chooses one."""
        self.model_name, self._model, self.shared_model = name, model, True

    async def persona(self) -> Persona:
        """The persona, with the version the user accepted and the mood as it is now."""
        mood = await self.inner_life().mood()
        grown = await Growth(self.store).current()
        return replace(Persona.from_profile(await self.store.profile()), mood=mood.prompt_line(),
                       growth=grown.doc.prompt())

    def inner_life(self) -> InnerLife:
        """The mood and the journal; a capable model writes the journal, else rules do."""
        capable = self.settings.llm.models[self.model_name].is_capable
        return InnerLife(self.store, self.model if capable else None)

    async def companion(self, *, interactive: bool = False) -> Companion:
        """The user's companion. ``interactive`` (chat, talk): with a local model, each turn ends
        by warming the next one's prompt prefix while the user reads, types or speaks."""
        choice = self.settings.chat.tools
        capable = self.settings.llm.models[self.model_name].is_capable
        wanted = choice == "on" or (choice == "auto" and capable)
        tools = [*memory_tools(self.store), *letter_tools(self.letter_studio), *self._skill_tools(),
                 *plugin_tools()] if wanted else []
        local = self.settings.llm.models[self.model_name].kind == "llamacpp"
        settings = replace(turn_settings(self.settings, self.model_name), prewarm=interactive and local)
        # the ledger is opened (a SQLite file created, or a connection made) on a thread: a
        # server builds companions on its event loop, where that would hold up every other socket
        guard = await asyncio.to_thread(open_guard, self.settings, self.ledger_rows)
        self._closers.append(guard.aclose)
        persona = await self.persona()
        return Companion(self.model, self.store, persona, settings, tools, guard,
                         share_post=lambda text: self._share_pasted(persona, text),
                         inner=self.inner_life())

    async def _share_pasted(self, persona: Persona, text: str) -> SharedPost:
        """A post the user pasted into a turn, shared as ``os1 share`` shares a file."""
        vision = self.settings.llm.models[self.model_name].vision
        shared = await Sharing(self.store, persona, self.model, vision=vision).share_pasted(text)
        title = shared.moment.data.get("title") or "a post"
        return SharedPost(f'a post, "{title}"', shared.said)

    def letter_studio(self) -> Studio:
        """The user's letter studio: their letter store beside their memory, this model."""
        llm = self.settings.llm
        folder = letters_dir(store_path(self.settings.home, self.settings.user).parent)
        return Studio(LetterStore(folder), self.store, lambda: self.model, max_tokens=llm.max_tokens * 2,
                      temperature=llm.temperature)

    def _skill_tools(self) -> list[Tool]:
        """The tools skills (mail, calendar and contacts, ...) offer this user, for the accounts
        that are set up; closed with the runtime."""
        tools, closers = skill_tools(self.settings, self.store)
        self._closers += closers
        return tools

    async def close(self) -> None:
        for close in self._closers:
            await close()
        if self._model is not None and not self.shared_model:
            await self._model.aclose()
        await self.store.close()
