"""Settings: one TOML file plus ``OS1_*`` environment variables, loaded once at an entry point.

Sources, highest priority first: keyword arguments, ``OS1_*`` variables (nested with ``__``, as in
``OS1_LLM__DEFAULT=server``), the TOML file, then defaults. ``OS1_HOME`` moves everything (data
and config) into one directory; otherwise the platform's data and config directories are used.
Components never read settings themselves: entry points pass the parts they need.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from os1.errors import ConfigError

BUNDLED_MODEL = "local"


def config_file() -> Path:
    """Where the TOML settings live: ``OS1_CONFIG``, else ``$OS1_HOME/config.toml``, else the
    platform's config directory."""
    if explicit := os.environ.get("OS1_CONFIG"):
        return Path(explicit)
    if home := os.environ.get("OS1_HOME"):
        return Path(home) / "config.toml"
    return Path(platformdirs.user_config_dir("os1")) / "config.toml"


def default_home() -> Path:
    return Path(platformdirs.user_data_dir("os1"))


def default_cache_dir() -> Path:
    """Where derived model files are kept: machine-wide, not user data (``OS1_HOME`` is not used)."""
    return Path(platformdirs.user_cache_dir("os1"))


class ModelConfig(BaseModel):
    """One configured chat model: the bundled GGUF, another GGUF by path, or a server."""

    model_config = ConfigDict(extra="forbid")

    kind: str = "llamacpp"  # a backend registered by a plugin: llamacpp, openai, ...
    path: Path | None = None  # llamacpp: a GGUF file; None means the bundled SmolLM2-135M
    base_url: str | None = None  # openai: e.g. http://localhost:11434/v1
    model: str | None = None  # openai: the server's model name
    api_key: SecretStr | None = None
    context_tokens: int = 4096
    threads: int | None = None
    timeout_s: float = 120.0
    capable: bool | None = None  # can it follow JSON-schema extraction? None: decide by kind
    vision: bool = False  # does it take images (os1 look/share send them to it)?

    @model_validator(mode="after")
    def _check_kind(self) -> ModelConfig:
        if self.kind == "openai" and not self.base_url:
            raise ValueError("an 'openai' model needs base_url (e.g. http://localhost:11434/v1)")
        return self

    @property
    def is_capable(self) -> bool:
        """Whether to trust this model with structured extraction by default."""
        if self.capable is not None:
            return self.capable
        return self.kind == "openai" or self.path is not None


class LLMSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default: str = BUNDLED_MODEL
    models: dict[str, ModelConfig] = Field(default_factory=dict)
    max_tokens: int = 256
    temperature: float = 0.7

    @model_validator(mode="after")
    def _bundled_always_present(self) -> LLMSettings:
        self.models.setdefault(BUNDLED_MODEL, ModelConfig())
        if self.default not in self.models:
            names = ", ".join(sorted(self.models))
            raise ValueError(f"default model {self.default!r} is not configured (have: {names})")
        return self


class MemorySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    context_budget_tokens: int = 400  # recalled memories per turn
    history_tokens: int = 600  # recent conversation per turn
    search_k: int = 8
    extraction: Literal["auto", "rules", "llm", "both"] = "auto"
    embedder: str = "minilm"
    # threads one embedding may use (0: up to two); 1 when several workers share a host's cores
    embedder_threads: int = Field(default=0, ge=0, le=64)
    encryption_key: SecretStr | None = None  # set to encrypt the store at rest (SQLCipher)
    backend: Literal["sqlite", "postgres"] = "sqlite"
    postgres_dsn: SecretStr | None = None  # e.g. postgresql://os1@db.internal/os1
    recency_half_life_days: float = 30.0


class ChatSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_input_chars: int = 200_000  # a long text is kept whole, and windowed for the prompt
    tools: Literal["auto", "on", "off"] = "auto"  # auto: only for capable models


Security = Literal["ssl", "starttls", "none"]  # none: only for servers on this machine


class MailSettings(BaseModel):
    """One mail account over IMAP and SMTP (an app password, never the account password)."""

    model_config = ConfigDict(extra="forbid")

    address: str | None = None  # the user's own address, e.g. theo@example.com
    username: str | None = None  # defaults to address
    password: SecretStr | None = None
    imap_host: str | None = None
    imap_port: int = 993
    imap_security: Security = "ssl"
    smtp_host: str | None = None
    smtp_port: int = 465
    smtp_security: Security = "ssl"
    smtp_login: bool = True  # false: a server that takes mail without a login (home or test set-ups)
    folders: list[str] = Field(default_factory=lambda: ["INBOX"])
    trash: str | None = None  # found by its special use when unset
    archive: str | None = None
    sent: str | None = None
    outbound_per_hour: int = 10
    outbound_per_day: int = 50
    timeout_s: float = 30.0

    @property
    def login(self) -> str:
        return self.username or self.address or ""


class CalendarSettings(BaseModel):
    """CalDAV calendar and CardDAV address book (often the same server and account)."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = None  # the server, e.g. https://dav.example.com/
    username: str | None = None
    password: SecretStr | None = None
    calendar: str = "os1"  # display name of the calendar to use (made if missing)
    addressbook: str = "contacts"  # the address book's collection name (made if missing)
    reminder_minutes: int = 10
    quiet_hours: str = "22:00-08:00"  # no reminders inside this span; empty for none


class InitiativeSettings(BaseModel):
    """os1 reaching out on its own: follow-ups on events the user mentioned (``os1 initiative``).
    Quiet hours are the profile's ``quiet_hours``, else ``calendar.quiet_hours``."""

    model_config = ConfigDict(extra="forbid")

    follow_ups: bool = True  # "How was Ana's wedding?" the morning after it
    daily_cap: int = Field(default=3, ge=0, le=20)  # proposals per day, at most
    hour: str = Field(default="10:00", pattern=r"^\d{2}:\d{2}$")  # when a follow-up is asked
    morning_note: bool = False  # opt-in: the day's calendar and the mail needing a reply
    morning_hour: str = Field(default="08:30", pattern=r"^\d{2}:\d{2}$")
    check_in_days: int = Field(default=0, ge=0, le=365)  # a check-in after this many silent days; 0: off
    desktop: bool = True  # also as a desktop notification (notify-send), where there is one


_LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


class McpServerConfig(BaseModel):
    """One MCP tool server os1 may use: a command it starts (stdio) or a streamable HTTP URL on
    loopback. Its tools need the user's yes unless marked read-only (by the user, or by the server's
    own ``readOnlyHint`` while ``trust_read_only_hints`` holds); their results are outside content."""

    model_config = ConfigDict(extra="forbid")

    command: list[str] = Field(default_factory=list)  # stdio: e.g. ["uvx", "mcp-server-time"]
    env: dict[str, str] = Field(default_factory=dict)  # stdio: extra environment for the command
    url: str | None = None  # streamable HTTP: e.g. http://127.0.0.1:8000/mcp
    read_only: list[str] = Field(default_factory=list)  # tools the user lets run without a yes
    trust_read_only_hints: bool = True  # a tool the server declares read-only runs without a yes
    timeout_s: float = Field(default=30.0, gt=0)

    @model_validator(mode="after")
    def _check_transport(self) -> McpServerConfig:
        if bool(self.command) == bool(self.url):
            raise ValueError("an MCP server needs either command (stdio) or url (HTTP), not both")
        if self.url is not None and urlsplit(self.url).hostname not in _LOOPBACK_HOSTS:
            raise ValueError("an MCP server url must be on loopback (os1 reaches no other host)")
        return self


class AgentSettings(BaseModel):
    """os1 among other agents: the MCP tool servers it uses, and the A2A agents it knows."""

    model_config = ConfigDict(extra="forbid")

    mcp_servers: dict[str, McpServerConfig] = Field(default_factory=dict)
    # `os1 serve` (single mode) publishes an A2A Agent Card and answers other agents at /a2a
    a2a_card: bool = False
    a2a_name: str | None = None  # the card's name; None: "os1"
    a2a_url: str | None = None  # the base URL on the card; None: http://server.host:server.port
    # agents os1 may talk to by name ("ask Sam ..."): name -> the agent's base URL
    a2a_peers: dict[str, str] = Field(default_factory=dict)
    a2a_timeout_s: float = Field(default=120.0, gt=0)  # an agent that says nothing this long: one line


class VoiceSettings(BaseModel):
    """Speech in and out (``os1 talk``, ``os1 transcribe``, ``os1 speak``)."""

    model_config = ConfigDict(extra="forbid")

    stt: str = "whisper"  # an engine registered by a plugin: whisper, pocketsphinx, ...
    whisper_model: Path | None = None  # a CTranslate2 Whisper directory; None: the bundled tiny.en
    whisper_beam: int = 5
    # CTranslate2 threads per transcription: os1's threads sleep while they wait at each barrier
    # (OMP_WAIT_POLICY=PASSIVE), so on a small machine one thread transcribes faster than two
    whisper_threads: int = Field(default=1, ge=1)
    # speech whose loud moments stand less than this over its quiet ones (a crowd fills the pauses)
    # is heard by a larger Whisper (crowd_whisper_model; None: the base model scripts/setup
    # fetched, when whisper_model is the bundled one); 0: always whisper_model
    crowd_below_db: float = Field(default=20.0, ge=0)
    crowd_whisper_model: Path | None = None
    tts: str = "espeak"  # espeak, piper, ...
    tts_voice: str | None = None  # espeak voice (en-us+f3) or a Piper .onnx; None: from onboarding
    end_silence_ms: int = 320  # this much silence ends the user's turn (end_of_turn = "silence")
    # model: a pause is judged by what was said and how (Smart Turn), silence: by its length alone
    end_of_turn: Literal["model", "silence"] = "model"
    # a pause the model calls unfinished still ends the turn after this much silence if the words
    # heard so far read as a finished sentence ("I bought some bread."); 0: wait as the model says
    end_said_ms: int = Field(default=512, ge=0)
    # while that short wait runs, the model reads the turn's prompt (memories and words) ahead
    read_ahead: bool = True
    turn_model: Path | None = None  # an end-of-turn ONNX file; None: the one scripts/setup fetched
    # WebRTC noise suppression before the VAD and speech-to-text, in `os1 talk` and `os1 transcribe`
    # alike (off: under crowd babble it raised Whisper's WER, docs/voice.md)
    noise_suppression: bool = False
    # speech must stand this far above the room's own level to be the user's (a crowd's babble
    # does not start, keep or interrupt a turn); 0: whatever the VAD calls speech
    over_room_db: float = Field(default=10.0, ge=0)
    interrupt_min_ms: int = 1200  # speech over os1 this long interrupts; shorter is transcribed first
    # auto: a live microphone and speaker get echo cancelling (aec), or half duplex without it
    duplex: Literal["auto", "full", "half", "aec"] = "auto"
    wake_phrase: bool = False  # only answer "hey <name> ..." (after a reply: a follow-up window)
    follow_up_s: float = 20.0


class ServerSettings(BaseModel):
    """``os1 serve``: the HTTP API, the web app and the sockets (docs/api.md, docs/deploy.md)."""

    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = 8371
    # single: the local user, no accounts (loopback only); multi: accounts, one store per user
    mode: Literal["single", "multi"] = "single"
    registration: bool = True  # multi: anyone may sign up (otherwise `os1 users create`)
    # TLS with os1's own certificate authority (server/tls.py), for phones on the home network
    https: bool = False
    origins: list[str] = Field(default_factory=list)  # extra allowed Origins, e.g. https://os1.example
    redis_url: SecretStr | None = None  # several workers: pub/sub, jobs and shared rate limits
    worker: str | None = None  # this worker's name in logs and /v1/health; None: host and pid
    session_days: float = 30.0
    turns_per_minute: int = 30  # per user
    requests_per_minute: int = 600  # per user, all API calls
    # failed logins per account in 15 minutes before each attempt is slowed (never refused);
    # four times as many from one address before that address is refused
    login_attempts: int = 5
    login_delay_seconds: float = Field(default=5.0, ge=0)
    # addresses whose X-Forwarded-For / X-Forwarded-Proto are believed (the reverse proxy's)
    trusted_proxies: list[str] = Field(default_factory=lambda: ["127.0.0.1"])
    access_log: bool = True  # one line per request on stderr (method, path, status, time, worker)
    metrics_host: str = "127.0.0.1"  # Prometheus metrics: a port apart from the public one
    metrics_port: int = Field(default=0, ge=0, le=65535)  # 0: no metrics
    open_users: int = 1024  # stores kept open per worker (~1.5 MB each); least recently used closed
    max_body_bytes: int = 2_000_000
    # /docs, /redoc and /openapi.json: auto serves them in single mode only (they map the API)
    api_docs: Literal["auto", "on", "off"] = "auto"
    # an open socket checks its session or token again this often (revocations reach it at once)
    recheck_seconds: float = Field(default=10.0, gt=0)
    # Web Push: the contact push services see in the VAPID signature (mailto: or https:)
    push_contact: str = Field(default="mailto:os1@localhost", pattern=r"^(mailto:\S+@\S+|https://\S+)$")


class Settings(BaseSettings):
    """Everything os1 can be told. See ``os1 config show``."""

    model_config = SettingsConfigDict(env_prefix="OS1_", env_nested_delimiter="__", extra="forbid")

    home: Path = Field(default_factory=default_home)
    user: str = "default"
    llm: LLMSettings = Field(default_factory=LLMSettings)
    memory: MemorySettings = Field(default_factory=MemorySettings)
    chat: ChatSettings = Field(default_factory=ChatSettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    initiative: InitiativeSettings = Field(default_factory=InitiativeSettings)
    voice: VoiceSettings = Field(default_factory=VoiceSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    agents: AgentSettings = Field(default_factory=AgentSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_file())
        return (init_settings, env_settings, toml)

    @property
    def model(self) -> ModelConfig:
        return self.llm.models[self.llm.default]


def load_settings(**overrides: Any) -> Settings:
    """Read settings once; any problem becomes a one-line ``ConfigError``."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        raise ConfigError(f"bad setting {where}: {first['msg']} (in {config_file()} or OS1_*)") from None
    except (OSError, ValueError) as exc:  # unreadable or malformed TOML
        raise ConfigError(f"cannot read {config_file()}: {exc}") from exc


def masked(settings: Settings) -> dict[str, Any]:
    """The effective settings as plain data with every secret masked."""
    data: dict[str, Any] = settings.model_dump(mode="json")
    for secret in ("encryption_key", "postgres_dsn"):
        if getattr(settings.memory, secret) is not None:
            data["memory"][secret] = "********"
    if settings.server.redis_url is not None:
        data["server"]["redis_url"] = "********"
    for section in ("mail", "calendar"):
        if getattr(settings, section).password is not None:
            data[section]["password"] = "********"
    for name, model in settings.llm.models.items():
        if model.api_key is not None:
            data["llm"]["models"][name]["api_key"] = "********"
    for name, server in settings.agents.mcp_servers.items():  # a tool server's keys live here
        data["agents"]["mcp_servers"][name]["env"] = {key: "********" for key in server.env}
    return data
