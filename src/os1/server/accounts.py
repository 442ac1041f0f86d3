"""Accounts for multi-user mode: people, their browser sessions and (``os1.server.tokens``)
their API tokens.

Passwords are kept as argon2id hashes (argon2-cffi's defaults, rehashed on login when those
change). Session and API tokens are random; only their SHA-256 is stored, so a copy of the
database logs nobody in. Every account gets an opaque id (``u`` + 16 hex digits), which names
its memory store; usernames are only for logging in."""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from os1.errors import AccountError
from os1.server.database import Database, Row, make_tables
from os1.server.tokens import SCHEMA as TOKEN_SCHEMA
from os1.server.tokens import TOKEN_PREFIX, Scope, Tokens, add_columns, digest

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS os1_accounts (
        id text PRIMARY KEY,
        username text NOT NULL UNIQUE,
        password_hash text NOT NULL,
        admin boolean NOT NULL DEFAULT false,
        disabled boolean NOT NULL DEFAULT false,
        created_at double precision NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS os1_web_sessions (
        token_hash text PRIMARY KEY,
        account_id text NOT NULL REFERENCES os1_accounts (id) ON DELETE CASCADE,
        csrf text NOT NULL,
        expires_at double precision NOT NULL)""",
)
USERNAME = re.compile(r"[a-z0-9][a-z0-9_.-]{2,31}")
MIN_PASSWORD, MAX_PASSWORD = 8, 256
SESSION_ID = 16
_ACCOUNT = "SELECT id, username, admin, disabled, created_at FROM os1_accounts"


@dataclass(frozen=True)
class Account:
    id: str
    username: str
    admin: bool = False
    disabled: bool = False
    created_at: float = 0.0


@dataclass(frozen=True)
class SessionInfo:
    """A browser session as its owner sees it in a list."""

    id: str  # the start of its hash: enough to name it, useless to log in with
    credential: str  # its hash
    created_at: float
    expires_at: float
    agent: str  # the browser's User-Agent when it logged in


@dataclass(frozen=True)
class WebSession:
    account: Account
    csrf: str


def _account(row: Row) -> Account:
    return Account(str(row[0]), str(row[1]), bool(row[2]), bool(row[3]), float(row[4]))


def check_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME.fullmatch(name):
        raise AccountError("a username is 3-32 letters, digits, '.', '_' or '-',"
                           " starting with a letter or digit")
    return name


def check_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(f"a password is {MIN_PASSWORD} to {MAX_PASSWORD} characters long")
    return password


class Accounts(Tokens):
    def __init__(self, db: Database, hasher: PasswordHasher | None = None) -> None:
        self.db = db
        self.hasher = hasher or PasswordHasher()
        self._dummy: str | None = None  # hashed once: unknown names cost as much as wrong passwords

    async def migrate(self) -> None:
        await make_tables(self.db, *SCHEMA, *TOKEN_SCHEMA)
        await add_columns(self.db)

    # -- accounts --------------------------------------------------------------------------

    async def create(self, username: str, password: str, *, admin: bool = False) -> Account:
        name = check_username(username)
        digest = await asyncio.to_thread(self.hasher.hash, check_password(password))
        return await self.insert(name, digest, admin=admin)

    async def insert(self, username: str, password_hash: str, *, admin: bool = False) -> Account:
        """Add an account with an already hashed password (benchmarks create thousands)."""
        account = Account("u" + secrets.token_hex(8), username, admin, False, time.time())
        if await self.by_name(username) is not None:
            raise AccountError(f"the username {username!r} is taken")
        try:
            await self.db.execute(
                "INSERT INTO os1_accounts (id, username, password_hash, admin, disabled, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (account.id, username, password_hash, admin, False, account.created_at))
        except Exception as exc:  # two registrations racing for one name
            if "unique" in str(exc).lower():
                raise AccountError(f"the username {username!r} is taken") from None
            raise
        return account

    async def get(self, account_id: str) -> Account | None:
        row = await self.db.fetchone(f"{_ACCOUNT} WHERE id = ?", (account_id,))
        return _account(row) if row else None

    async def by_name(self, username: str) -> Account | None:
        row = await self.db.fetchone(f"{_ACCOUNT} WHERE username = ?", (username.strip().lower(),))
        return _account(row) if row else None

    async def all(self) -> list[Account]:
        return [_account(r) for r in await self.db.fetchall(f"{_ACCOUNT} ORDER BY created_at")]

    async def set_disabled(self, username: str, disabled: bool) -> Account:
        account = await self.by_name(username)
        if account is None:
            raise AccountError(f"no account named {username!r}")
        await self.db.execute("UPDATE os1_accounts SET disabled = ? WHERE id = ?", (disabled, account.id))
        if disabled:  # logged out everywhere at once
            await self.db.execute("DELETE FROM os1_web_sessions WHERE account_id = ?", (account.id,))
        return await self.get(account.id) or account

    async def verify(self, username: str, password: str) -> Account | None:
        """The account if the password is right and it is enabled; the same work either way."""
        row = await self.db.fetchone("SELECT id, password_hash FROM os1_accounts WHERE username = ?",
                                     (username.strip().lower(),))
        if self._dummy is None:
            self._dummy = await asyncio.to_thread(self.hasher.hash, secrets.token_hex(16))
        stored = str(row[1]) if row else self._dummy
        try:
            await asyncio.to_thread(self.hasher.verify, stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if self.hasher.check_needs_rehash(stored):
            fresh = await asyncio.to_thread(self.hasher.hash, password)
            await self.db.execute("UPDATE os1_accounts SET password_hash = ? WHERE id = ?", (fresh, row[0]))
        account = await self.get(str(row[0]))
        return account if account and not account.disabled else None

    async def set_password(self, account_id: str, password: str) -> None:
        """A new password; every session of the account ends (the caller starts a fresh one)."""
        digest = await asyncio.to_thread(self.hasher.hash, check_password(password))
        await self.db.execute("UPDATE os1_accounts SET password_hash = ? WHERE id = ?", (digest, account_id))
        await self.db.execute("DELETE FROM os1_web_sessions WHERE account_id = ?", (account_id,))

    # -- browser sessions ------------------------------------------------------------------

    async def start_session(self, account: Account, days: float, agent: str = "") -> tuple[str, str]:
        """A new session (never an old one carried over): its token and its CSRF token."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        now = time.time()
        await self.db.execute("DELETE FROM os1_web_sessions WHERE expires_at < ?", (now,))
        await self.db.execute(
            "INSERT INTO os1_web_sessions (token_hash, account_id, csrf, expires_at, created_at, agent)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (digest(token), account.id, csrf, now + days * 86400, now, agent[:200]))
        return token, csrf

    async def session(self, token_hash: str) -> WebSession | None:
        """The live session whose cookie has this SHA-256."""
        row = await self.db.fetchone(
            "SELECT account_id, csrf FROM os1_web_sessions WHERE token_hash = ? AND expires_at > ?",
            (token_hash, time.time()))
        if row is None:
            return None
        account = await self.get(str(row[0]))
        return WebSession(account, str(row[1])) if account and not account.disabled else None

    async def sessions(self, account_id: str) -> list[SessionInfo]:
        rows = await self.db.fetchall(
            "SELECT token_hash, created_at, expires_at, agent FROM os1_web_sessions"
            " WHERE account_id = ? AND expires_at > ? ORDER BY created_at", (account_id, time.time()))
        return [SessionInfo(str(r[0])[:SESSION_ID], str(r[0]), float(r[1]), float(r[2]), str(r[3]))
                for r in rows]

    async def end_session(self, token_hash: str) -> None:
        await self.db.execute("DELETE FROM os1_web_sessions WHERE token_hash = ?", (token_hash,))

    async def end_session_by_id(self, account_id: str, session_id: str) -> str | None:
        """End one of the account's sessions, named by its listed id; its hash, or None."""
        found = next((s for s in await self.sessions(account_id) if s.id == session_id), None)
        if found is None:
            return None
        await self.end_session(found.credential)
        return found.credential

    # -- API tokens ------------------------------------------------------------------------

    async def by_token(self, token: str) -> tuple[Account, Scope] | None:
        """The enabled account and scope of an unexpired API token."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        return await self.by_token_hash(digest(token))

    async def by_token_hash(self, token_hash: str) -> tuple[Account, Scope] | None:
        found = await self.token_by_hash(token_hash)
        account = await self.get(found[0]) if found else None
        return (account, found[1]) if found and account and not account.disabled else None
