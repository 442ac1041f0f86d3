"""Accounts for multi-user mode: people, their browser sessions and their API tokens.

Passwords are kept as argon2id hashes (argon2-cffi's defaults, rehashed on login when those
change). Session and API tokens are random; only their SHA-256 is stored, so a copy of the
database logs nobody in. Every account gets an opaque id (``u`` + 16 hex digits), which names
its memory store; usernames are only for logging in."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from os1.errors import AccountError
from os1.server.database import Database, Row

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
    """CREATE TABLE IF NOT EXISTS os1_api_tokens (
        id text PRIMARY KEY,
        account_id text NOT NULL REFERENCES os1_accounts (id) ON DELETE CASCADE,
        name text NOT NULL,
        token_hash text NOT NULL UNIQUE,
        created_at double precision NOT NULL)""",
)
USERNAME = re.compile(r"[a-z0-9][a-z0-9_.-]{2,31}")
MIN_PASSWORD, MAX_PASSWORD = 8, 256
TOKEN_PREFIX = "os1_"
_ACCOUNT = "SELECT id, username, admin, disabled, created_at FROM os1_accounts"


@dataclass(frozen=True)
class Account:
    id: str
    username: str
    admin: bool = False
    disabled: bool = False
    created_at: float = 0.0


@dataclass(frozen=True)
class WebSession:
    account: Account
    csrf: str


def _account(row: Row) -> Account:
    return Account(str(row[0]), str(row[1]), bool(row[2]), bool(row[3]), float(row[4]))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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


class Accounts:
    def __init__(self, db: Database, hasher: PasswordHasher | None = None) -> None:
        self.db = db
        self.hasher = hasher or PasswordHasher()
        self._dummy: str | None = None  # hashed once: unknown names cost as much as wrong passwords

    async def migrate(self) -> None:
        for statement in SCHEMA:
            await self.db.execute(statement)

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

    # -- browser sessions ------------------------------------------------------------------

    async def start_session(self, account: Account, days: float) -> tuple[str, str]:
        """A new session (never an old one carried over): its token and its CSRF token."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        await self.db.execute("DELETE FROM os1_web_sessions WHERE expires_at < ?", (time.time(),))
        await self.db.execute(
            "INSERT INTO os1_web_sessions (token_hash, account_id, csrf, expires_at) VALUES (?, ?, ?, ?)",
            (_digest(token), account.id, csrf, time.time() + days * 86400))
        return token, csrf

    async def session(self, token: str) -> WebSession | None:
        row = await self.db.fetchone(
            "SELECT account_id, csrf FROM os1_web_sessions WHERE token_hash = ? AND expires_at > ?",
            (_digest(token), time.time()))
        if row is None:
            return None
        account = await self.get(str(row[0]))
        return WebSession(account, str(row[1])) if account and not account.disabled else None

    async def end_session(self, token: str) -> None:
        await self.db.execute("DELETE FROM os1_web_sessions WHERE token_hash = ?", (_digest(token),))

    # -- API tokens ------------------------------------------------------------------------

    async def new_token(self, account: Account, name: str) -> tuple[str, str]:
        """A new API token: its id and the token itself (shown once, stored only hashed)."""
        label = name.strip()[:64] or "token"
        token_id, token = "t" + secrets.token_hex(6), TOKEN_PREFIX + secrets.token_urlsafe(32)
        await self.db.execute(
            "INSERT INTO os1_api_tokens (id, account_id, name, token_hash, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (token_id, account.id, label, _digest(token), time.time()))
        return token_id, token

    async def tokens(self, account: Account) -> list[tuple[str, str, float]]:
        rows = await self.db.fetchall(
            "SELECT id, name, created_at FROM os1_api_tokens WHERE account_id = ? ORDER BY created_at",
            (account.id,))
        return [(str(r[0]), str(r[1]), float(r[2])) for r in rows]

    async def revoke_token(self, account: Account, token_id: str) -> str | None:
        """Delete one of ``account``'s tokens; its hash (to end what it opened), or None."""
        row = await self.db.fetchone(
            "SELECT token_hash FROM os1_api_tokens WHERE id = ? AND account_id = ?", (token_id, account.id))
        if row is None:
            return None
        await self.db.execute("DELETE FROM os1_api_tokens WHERE id = ?", (token_id,))
        return str(row[0])

    async def by_token(self, token: str) -> Account | None:
        if not token.startswith(TOKEN_PREFIX):
            return None
        row = await self.db.fetchone("SELECT account_id FROM os1_api_tokens WHERE token_hash = ?",
                                     (_digest(token),))
        account = await self.get(str(row[0])) if row else None
        return account if account and not account.disabled else None
