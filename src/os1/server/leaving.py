"""The goodbye for an account of ``os1 serve`` (single or multi mode), through the goodbye
package's flow (``os1.goodbye.flow``) with what a server adds (docs/goodbye.md):

* the goodbye folder stays on the server, outside the person's data, in ``goodbyes/<id>/`` of
  the data directory: the export (``export/``), the same folder zipped for the person to
  download (``os1-goodbye.zip``) and how far they got (``state.json``);
* nothing is erased until the export verified, was downloaded, and the person confirmed twice
  (``goodbye``, then ``erase``), each a request of its own; the second reads the store again, so
  anything said after the export stops the erasing;
* then the account ends first (multi mode: its sessions, tokens and sockets, so that no request
  reopens the store), the store closes, and ``erase_all`` deletes the rows (``SiteRows``),
  erases ``users/<id>/``, counts the rows again and reads the data directory's bytes for traces
  (other people's folders are theirs, and left unread);
* last the goodbye folder itself is overwritten and removed; the proof goes back in the answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import zipfile
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from os1.config import default_cache_dir
from os1.errors import InputError
from os1.files import open_private, private_dir, write_private
from os1.goodbye.erasing import Proof, erase
from os1.goodbye.flow import Prepared, erase_all, prepare, reverify
from os1.letters.keeping import LetterStore, letters_dir
from os1.memory.postgres import erase_person, person_rows
from os1.memory.sqlite import store_path
from os1.music.folder import music_folder
from os1.server.database import Database, PostgresDatabase, SQLiteDatabase
from os1.server.site import Site

GOODBYES = "goodbyes"
ZIP = "os1-goodbye.zip"
STATE = "state.json"
FIRST, SECOND = "goodbye", "erase"  # the two words the person confirms with
_BUSY: set[Path] = set()  # goodbye folders a request is working on, in this process


@dataclass
class Stage:
    """How far a person's goodbye has come."""

    letter: str
    counts: dict[str, Any]
    problems: list[str]
    files: int
    export_bytes: int = 0
    export_sha256: str = ""
    downloaded: bool = False
    confirmed: bool = False

    @property
    def verified(self) -> bool:
        return not self.problems


def place(site: Site, user_id: str) -> Path:
    return site.settings.home / GOODBYES / user_id


def stage(site: Site, user_id: str) -> Stage | None:
    try:
        return Stage(**json.loads((place(site, user_id) / STATE).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _keep(site: Site, user_id: str, found: Stage) -> None:
    write_private(place(site, user_id) / STATE, json.dumps(asdict(found)))


@contextlib.asynccontextmanager
async def _alone(site: Site, user_id: str) -> AsyncIterator[None]:
    """One step of a person's goodbye at a time (a second click waits for nothing: it is refused)."""
    root = place(site, user_id)
    if root in _BUSY:
        raise InputError("your goodbye is already under way: wait for it")
    _BUSY.add(root)
    try:
        yield
    finally:
        _BUSY.discard(root)


def _user_dir(site: Site, user_id: str) -> Path:
    return store_path(site.settings.home, user_id).parent


def _zip(folder: Path, target: Path) -> tuple[int, str]:
    """The goodbye folder as one zip (its files under ``os1-goodbye/``); its size and SHA-256."""
    with open_private(target) as out, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"os1-goodbye/{path.relative_to(folder)}")
    return target.stat().st_size, hashlib.sha256(target.read_bytes()).hexdigest()


def _shred(root: Path, proof: Proof | None = None) -> None:
    erase([root], proof or Proof())


async def begin(site: Site, user_id: str) -> Stage:
    """Write and verify the letter and the export (a goodbye begun before starts over)."""
    async with _alone(site, user_id):
        return await _begin(site, user_id)


async def _begin(site: Site, user_id: str) -> Stage:
    root, user_dir = place(site, user_id), _user_dir(site, user_id)
    await asyncio.to_thread(_shred, root)
    private_dir(root)
    settings = site.spaces.user_settings(user_id)
    letters = LetterStore(letters_dir(user_dir))
    try:
        async with site.spaces.use(user_id) as space:
            prepared = await prepare(space.store, user_id, root / "export", user_dir=user_dir,
                                     letters=letters, music=music_folder(settings))
    finally:
        await letters.close()
    found = Stage(prepared.letter, prepared.keepsakes.counts(), prepared.problems, len(prepared.files))
    if prepared.verified:
        found.export_bytes, found.export_sha256 = await asyncio.to_thread(
            _zip, prepared.folder, root / ZIP)
    _keep(site, user_id, found)
    return found


def download(site: Site, user_id: str) -> Path:
    """The zip to send; the person has it from now on."""
    found = stage(site, user_id)
    path = place(site, user_id) / ZIP
    if found is None or not found.verified or not path.is_file():
        raise InputError("there is no verified export to download: begin the goodbye first")
    found.downloaded = True
    _keep(site, user_id, found)
    return path


def confirm(site: Site, user_id: str, word: str) -> Stage:
    """The first confirmation: only after the export was downloaded."""
    found = stage(site, user_id)
    if found is None or not found.verified:
        raise InputError("there is no verified export: begin the goodbye first")
    if not found.downloaded:
        raise InputError("download your export first: it is all that will be left")
    if word.strip().lower() != FIRST:
        raise InputError(f"type {FIRST!r} to go on; nothing was erased")
    found.confirmed = True
    _keep(site, user_id, found)
    return found


async def cancel(site: Site, user_id: str) -> None:
    """Keep everything: the goodbye folder on the server is erased, the person's data stays."""
    async with _alone(site, user_id):
        await asyncio.to_thread(_shred, place(site, user_id))


async def finish(site: Site, user_id: str, username: str, word: str) -> Proof:
    """The second confirmation: erase everything of the person, with proof."""
    async with _alone(site, user_id):
        return await _finish(site, user_id, username, word)


async def _finish(site: Site, user_id: str, username: str, word: str) -> Proof:
    found = stage(site, user_id)
    if found is None or not found.confirmed:
        raise InputError(f"confirm with {FIRST!r} first; nothing was erased")
    if word.strip().lower() != SECOND:
        raise InputError(f"type {SECOND!r} to erase; nothing was erased")
    prepared = await _again(site, user_id)
    if not prepared.verified:
        raise InputError(f"something changed since the export ({prepared.problems[0]}): begin the"
                         " goodbye again; nothing was erased")
    if site.accounts is not None:  # no session, token or socket of theirs opens anything now
        await site.accounts.set_disabled(username, True)
    await site.revoke(user_id)
    await site.spaces.drop(user_id)
    home = site.settings.home
    proof = await erase_all(prepared, [_user_dir(site, user_id)], [home, default_cache_dir()],
                            rows=SiteRows(site, user_id, username), skip=[home / "users", home / GOODBYES])
    await asyncio.to_thread(_shred, place(site, user_id), proof)  # the person has downloaded it
    return proof


async def _again(site: Site, user_id: str) -> Prepared:
    letters = LetterStore(letters_dir(_user_dir(site, user_id)))
    try:
        async with site.spaces.use(user_id) as space:
            return await reverify(space.store, user_id, place(site, user_id) / "export", letters)
    finally:
        await letters.close()


@dataclass
class SiteRows:
    """A person's rows and keys on a server, for ``erase_all``: their memory in PostgreSQL, their
    held actions, browsers and jobs, their account (multi mode) with its sessions, tokens and
    tickets, and their rate-limit counters (Redis or this worker's memory)."""

    site: Site
    user_id: str
    username: str
    _where: dict[str, int] = field(default_factory=dict)

    def _tables(self) -> list[tuple[Database, str, str]]:
        site = self.site
        found: list[tuple[Database, str, str]] = [(site.jobs.db, "os1_jobs", "user_id")]
        if site.push is not None:
            found.append((site.push.db, "os1_push", "user_id"))
        if site.accounts is not None:  # the account last: the others refer to it
            found += [(site.accounts.db, t, "account_id")
                      for t in ("os1_socket_tickets", "os1_api_tokens", "os1_web_sessions")]
            found.append((site.accounts.db, "os1_accounts", "id"))
        return found

    def _limits(self) -> list[str]:
        return [f"req:{self.user_id}", f"password-failed:{self.user_id}", f"login-failed:{self.username}"]

    async def erase(self) -> dict[str, int]:
        site, uid = self.site, self.user_id
        done: dict[str, int] = {}
        if site.spaces.pool is not None:
            done |= {f"postgres:{t}": n for t, n in (await erase_person(site.spaces.pool, uid)).items()}
        if (ledger := site.spaces.ledger_rows) is not None:
            done["postgres:os1_actions"] = await asyncio.to_thread(
                ledger.run, "DELETE FROM actions WHERE owner = ?", (uid,))
        for db, table, column in self._tables():
            done[f"{_kind(db)}:{table}"] = max(0, await db.execute(
                f"DELETE FROM {table} WHERE {column} = ?", (uid,)))
        for key in self._limits():
            await site.limiter.clear(key)
        if site.redis is not None and site.accounts is not None:
            keys = [k async for k in site.redis.scan_iter(match=f"os1:*{uid}*")]
            done["redis"] = int(await site.redis.delete(*keys)) if keys else 0
        for db in {id(d): d for d, _, _ in self._tables()}.values():
            if isinstance(db, SQLiteDatabase):  # deleted rows were zeroed; the log goes too
                await db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return done

    async def left(self) -> dict[str, int]:
        site, uid = self.site, self.user_id
        found: dict[str, int] = {}
        if site.spaces.pool is not None:
            found |= {f"postgres:{t}": n for t, n in (await person_rows(site.spaces.pool, uid)).items()}
        if (ledger := site.spaces.ledger_rows) is not None:
            row = await asyncio.to_thread(ledger.one, "SELECT count(*) FROM actions WHERE owner = ?", (uid,))
            found["postgres:os1_actions"] = int(row[0]) if row else 0
        for db, table, column in self._tables():
            row = await db.fetchone(f"SELECT count(*) FROM {table} WHERE {column} = ?", (uid,))
            found[f"{_kind(db)}:{table}"] = int(row[0]) if row else 0
        if site.redis is not None and site.accounts is not None:
            found["redis"] = len([k async for k in site.redis.scan_iter(match=f"os1:*{uid}*")])
        return found


def _kind(db: Database) -> str:
    return "postgres" if isinstance(db, PostgresDatabase) else "sqlite"
