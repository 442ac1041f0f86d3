"""The IMAP seam: one connection to the user's server, driven from async code.

IMAPClient parses every IMAP response (literals, flags, special-use folders) and speaks MOVE and
UIDPLUS; it is blocking, so each call runs in a worker thread, one at a time (an IMAP session is
sequential anyway). Errors from the library or the network become ``ToolFailed``; the password
never appears in a message.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import imapclient
from imapclient.exceptions import IMAPClientError

from os1.config import MailSettings
from os1.errors import ConfigError, ToolFailed

T = TypeVar("T")
FETCH_BATCH = 500
BATCH_BYTES = 16 * 1024 * 1024  # a batch of fetched mail holds about this much at most
MAX_READ = 2 * 1024 * 1024  # of a larger mail, only its first bytes (headers, text) are read


@dataclass(frozen=True)
class FolderState:
    uidvalidity: int
    uidnext: int
    messages: int


@dataclass(frozen=True)
class Fetched:
    uid: int
    flags: tuple[str, ...]
    raw: bytes  # the whole message, or its first MAX_READ bytes when it is larger


@contextmanager
def mapped_errors(what: str) -> Iterator[None]:
    """Library and network failures as one-line ``ToolFailed``s."""
    try:
        yield
    except (IMAPClientError, OSError, ssl.SSLError) as exc:
        raise ToolFailed(f"{what}: {exc}") from exc


def _flags(values: Sequence[Any]) -> tuple[str, ...]:
    """Flags as text, without \\Recent (it belongs to one session, not to the message)."""
    found = (v.decode() if isinstance(v, bytes) else str(v) for v in values)
    return tuple(sorted(f for f in found if f != "\\Recent"))


def _body(data: dict[bytes, Any]) -> bytes:
    """The message's bytes, under whichever key the server answered a partial fetch with."""
    for key, value in data.items():
        if key.startswith(b"BODY[]"):
            return bytes(value or b"")
    return b""


def batches(uids: Sequence[int], sizes: dict[int, int]) -> list[list[int]]:
    """UIDs in batches of at most FETCH_BATCH messages and about BATCH_BYTES bytes."""
    out: list[list[int]] = []
    current: list[int] = []
    held = 0
    for uid in uids:
        size = min(sizes.get(uid, 0), MAX_READ)
        if current and (len(current) >= FETCH_BATCH or held + size > BATCH_BYTES):
            out.append(current)
            current, held = [], 0
        current.append(uid)
        held += size
    return out + [current] if current else out


class Mailbox:
    """An open IMAP session for one account."""

    def __init__(self, client: imapclient.IMAPClient) -> None:
        self._client = client
        self._lock = asyncio.Lock()
        self._selected: str | None = None

    @classmethod
    async def open(cls, settings: MailSettings) -> Mailbox:
        if not settings.imap_host or settings.password is None or not settings.login:
            raise ConfigError("mail is not set up: set mail.address, mail.password and mail.imap_host "
                              "(see docs/mail.md)")
        password = settings.password.get_secret_value()

        def connect() -> imapclient.IMAPClient:
            client = imapclient.IMAPClient(settings.imap_host, port=settings.imap_port,
                                           ssl=settings.imap_security == "ssl",
                                           timeout=settings.timeout_s)
            if settings.imap_security == "starttls":
                client.starttls(ssl.create_default_context())
            client.login(settings.login, password)
            return client

        with mapped_errors(f"cannot log in to {settings.imap_host}:{settings.imap_port}"):
            return cls(await asyncio.to_thread(connect))

    async def _call(self, what: str, fn: Callable[[], T]) -> T:
        async with self._lock:
            with mapped_errors(what):
                return await asyncio.to_thread(fn)

    def _select(self, folder: str, readonly: bool = True) -> dict[bytes, Any]:
        info: dict[bytes, Any] = self._client.select_folder(folder, readonly=readonly)
        self._selected = folder
        return info

    async def state(self, folder: str) -> FolderState:
        """UIDVALIDITY, UIDNEXT and the count, from a fresh SELECT (STATUS on the selected folder
        may be stale)."""
        def select() -> FolderState:
            info = self._select(folder)
            return FolderState(int(info[b"UIDVALIDITY"]), int(info.get(b"UIDNEXT", 1)),
                               int(info[b"EXISTS"]))

        return await self._call(f"cannot read folder {folder}", select)

    async def uids(self, folder: str, since_uid: int = 1) -> list[int]:
        def search() -> list[int]:
            self._select(folder)
            found = self._client.search(["UID", f"{since_uid}:*"])
            return sorted(int(u) for u in found if int(u) >= since_uid)

        return await self._call(f"cannot search {folder}", search)

    async def flags(self, folder: str, uids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        def fetch() -> dict[int, tuple[str, ...]]:
            self._select(folder)
            out: dict[int, tuple[str, ...]] = {}
            for start in range(0, len(uids), 5000):
                data = self._client.fetch(list(uids[start:start + 5000]), ["FLAGS"])
                out.update({int(u): _flags(d[b"FLAGS"]) for u, d in data.items()})
            return out

        return await self._call(f"cannot read flags in {folder}", fetch) if uids else {}

    async def sizes(self, folder: str, uids: Sequence[int]) -> dict[int, int]:
        def fetch() -> dict[int, int]:
            self._select(folder)
            out: dict[int, int] = {}
            for start in range(0, len(uids), 5000):
                data = self._client.fetch(list(uids[start:start + 5000]), ["RFC822.SIZE"])
                out.update({int(u): int(d.get(b"RFC822.SIZE", 0)) for u, d in data.items()})
            return out

        return await self._call(f"cannot read sizes in {folder}", fetch) if uids else {}

    async def fetch(self, folder: str, uids: Sequence[int]) -> list[Fetched]:
        """Messages (without setting \\Seen), each cut at MAX_READ bytes: a 20 MB attachment is
        never held whole in memory, and the text comes first in a mail."""
        def fetch() -> list[Fetched]:
            self._select(folder)
            data = self._client.fetch(list(uids), [f"BODY.PEEK[]<0.{MAX_READ}>", "FLAGS"])
            return [Fetched(int(u), _flags(d[b"FLAGS"]), bytes(_body(d))) for u, d in sorted(data.items())]

        return await self._call(f"cannot fetch from {folder}", fetch) if uids else []

    async def special(self, use: bytes, fallback: str) -> str:
        """The folder with a special use (\\Trash, \\Archive, \\Sent), made if missing."""
        def find() -> str:
            found = self._client.find_special_folder(use)
            if found:
                return str(found)
            if not self._client.folder_exists(fallback):
                self._client.create_folder(fallback)
            return fallback

        return await self._call(f"cannot find the {fallback} folder", find)

    async def existing_special(self, use: bytes) -> str | None:
        """The folder with a special use, if the server has one (nothing is made)."""
        def find() -> str | None:
            found = self._client.find_special_folder(use)
            return str(found) if found else None

        return await self._call("cannot list folders", find)

    async def move(self, folder: str, uids: Sequence[int], target: str) -> None:
        """Move with IMAP MOVE (RFC 6851): the message lives on in the target folder. os1 never
        deletes or expunges; a server without MOVE is refused rather than emulated by deletion."""
        def move() -> None:
            if not self._client.has_capability("MOVE"):
                raise ToolFailed("the server does not support MOVE; os1 will not delete to move")
            self._select(folder, readonly=False)
            self._client.move(list(uids), target)

        if uids:
            await self._call(f"cannot move mail from {folder} to {target}", move)

    async def find_message_id(self, folder: str, message_id: str) -> list[int]:
        def search() -> list[int]:
            self._select(folder)
            return [int(u) for u in self._client.search(["HEADER", "Message-ID", message_id])]

        return await self._call(f"cannot search {folder}", search)

    async def append(self, folder: str, raw: bytes, flags: Sequence[str] = ()) -> None:
        await self._call(f"cannot save to {folder}",
                         lambda: self._client.append(folder, raw, flags=[f.encode() for f in flags]))

    async def folders(self) -> list[str]:
        return await self._call("cannot list folders",
                                lambda: [str(name) for _, _, name in self._client.list_folders()])

    async def close(self) -> None:
        try:
            await self._call("logout", self._client.logout)
        except ToolFailed:
            pass
