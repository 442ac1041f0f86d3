"""The JSON bodies of the API, as pydantic models: validated on the way in, and the source of
the OpenAPI description (``/openapi.json``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from os1.agents.a2a_source import source_in
from os1.memory.base import MemoryItem
from os1.memory.sayings import for_person

Name = Field(min_length=1, max_length=64)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Credentials(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class Me(BaseModel):
    id: str
    username: str
    admin: bool
    onboarded: bool
    user_name: str | None = None
    os_name: str | None = None


class SessionInfo(BaseModel):
    mode: Literal["single", "multi"]
    registration: bool
    user: Me | None = None
    csrf: str | None = None


class Health(BaseModel):
    status: Literal["ok"]
    mode: Literal["single", "multi"]
    worker: str
    connected: int
    open_users: int


class TokenRequest(Strict):
    name: str = Name
    scope: Literal["read", "chat", "admin"] = "chat"
    days: float = Field(default=90.0, gt=0, le=3650)  # how long it lasts


class TokenInfo(BaseModel):
    id: str
    name: str
    scope: Literal["read", "chat", "admin"]
    created_at: float
    expires_at: float | None  # None: made before tokens expired
    last_used_at: float | None = None


class NewToken(TokenInfo):
    token: str  # shown only this once


class SessionItem(BaseModel):
    id: str
    created_at: float
    expires_at: float
    agent: str
    current: bool  # the session this request came with


class PasswordChange(Strict):
    current: str = Field(min_length=1, max_length=1024)
    new: str = Field(min_length=1, max_length=1024)


class SocketTicket(BaseModel):
    ticket: str  # open a socket with ?ticket=...; once, within expires_in seconds
    expires_in: float


class Question(BaseModel):
    key: str
    text: str
    skippable: bool


class Onboarding(BaseModel):
    done: bool
    questions: list[Question]


class Answers(Strict):
    answers: dict[str, str] = Field(max_length=16)


class Introduction(BaseModel):
    os_name: str
    introduction: str


class Memory(BaseModel):
    id: int
    kind: Literal["utterance", "fact"]
    text: str
    created_at: float
    role: str | None = None
    provenance: str
    subject: str | None = None
    predicate: str | None = None
    object: str | None = None
    valid_to: float | None = None
    status: str
    private: bool = False  # kept between the user and os1 (store.privacy)
    images: list[str] = []  # a shared moment's pictures (content hashes, at /v1/images/{hash})
    piece: bool = False  # a piece os1 composed: its audio at /v1/music/{id}/audio, its MIDI at .../midi
    shown: str = ""  # the text as said to the user ("Your sister ..."); ``text`` is as stored
    source: str = ""  # outside content: where it came from ("A2A agent Sam at http://..."), if named

    @classmethod
    def of(cls, item: MemoryItem, images: Sequence[str] = (), *, piece: bool = False) -> Memory:
        shown = for_person(item.text) if item.kind == "fact" else item.text
        return cls(id=item.id, kind=item.kind, text=item.text, created_at=item.created_at, role=item.role,
                   provenance=item.provenance, subject=item.subject, predicate=item.predicate,
                   object=item.object, valid_to=item.valid_to, status=item.status, private=item.private,
                   images=list(images), piece=piece,
                   shown=shown, source=source_in(item.text) if item.provenance == "external" else "")


class Memories(BaseModel):
    items: list[Memory]


class MemoryDetail(BaseModel):
    item: Memory
    related: dict[str, list[Memory]]


class MemoryEdit(Strict):
    """New words, or ``private`` to keep the memory (with its saying) private or share it again."""

    text: str | None = Field(None, min_length=1, max_length=200_000)
    private: bool | None = None


class EntryEdit(Strict):
    """A journal entry's new words."""

    text: str = Field(min_length=1, max_length=200_000)


class ForgetMany(Strict):
    ids: list[Annotated[int, Field(ge=1, le=2**62)]] = Field(min_length=1, max_length=1000)


class Forgotten(BaseModel):
    forgotten: int


class Imported(BaseModel):
    imported: int


class ChatRequest(Strict):
    text: str = Field(min_length=1, max_length=100_000)
    # when it is said (Unix time; default now): a life replayed, or imported, with its dates
    at: float | None = Field(default=None, ge=0, le=253_402_300_799)


class ChatReply(BaseModel):
    reply: str
    reply_id: int | None
    said_id: int | None  # None: a deed asked for in plain words (``asked``), not a turn
    recalled: list[Memory]
    confirm: dict[str, Any] | None = None
    asked: dict[str, Any] | None = None  # the ``letter`` or ``piece`` event of such a deed


class Preferences(BaseModel):
    model: str
    models: list[str]
    model_labels: dict[str, str] = {}  # each model as a person would understand it
    voice: str
    quiet_hours: str
    time_zone: str  # IANA name; empty: the server's own
    zone_offset_minutes: int = 0  # the UTC offset now where the person's time is kept
    agent_card: bool = False  # multi mode: other agents may meet this person's OS over A2A


class VoiceChoice(BaseModel):
    name: str  # what GET /v1/voices/{name}/sample and PUT /v1/settings {"voice"} take
    about: str  # what a person hears, in a few words


class Voices(BaseModel):
    engine: str  # the text-to-speech engine this server speaks with
    note: str  # what the voice setting changes, for a person
    voices: list[VoiceChoice]
    chosen: str  # the one the person's voice setting picks


class PreferencesChange(Strict):
    model: str | None = Field(default=None, max_length=64)
    voice: str | None = Field(default=None, max_length=200)
    quiet_hours: str | None = Field(default=None, max_length=20)
    time_zone: str | None = Field(default=None, max_length=64)
    agent_card: bool | None = None  # publish an A2A Agent Card (multi mode, when the server allows)


class ReminderRequest(Strict):
    text: str = Field(min_length=1, max_length=500)
    in_seconds: float = Field(ge=0, le=366 * 86400)


class Reminder(BaseModel):
    id: str
    text: str
    at: float


class SharedReply(BaseModel):
    """What showing os1 something came to: the moment kept, whether it is new, its pictures
    (content hashes, served at ``/v1/images/{hash}``), what os1 perceived and what it said."""

    moment_id: int
    kind: str
    new: bool
    images: list[str]
    perceived: str
    said: str
    memory: str


class PushKeys(Strict):
    p256dh: str = Field(min_length=1, max_length=200)
    auth: str = Field(min_length=1, max_length=100)


class PushSubscription(Strict):
    """A browser's push subscription, as ``PushSubscription.toJSON()`` gives it."""

    endpoint: str = Field(min_length=1, max_length=2000)
    keys: PushKeys
    expirationTime: float | None = None  # noqa: N815 (the browser's own name)


class PushEndpoint(Strict):
    endpoint: str = Field(min_length=1, max_length=2000)


class PushState(BaseModel):
    public_key: str  # the site's VAPID key, for pushManager.subscribe
    endpoints: list[str]  # the user's subscribed browsers
