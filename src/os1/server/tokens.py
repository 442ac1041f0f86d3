"""API tokens and socket tickets, kept in the accounts database.

An API token has a scope and an expiry. ``read`` may only look (GET); ``chat`` may also talk
(``/v1/chat``, the chat and voice sockets); ``admin`` may do everything its owner may, except
what needs the owner's own session: minting tokens, changing the password, ending sessions.
Only the token's SHA-256 is stored.

A socket ticket is short-lived and single-use: a client asks for one over an authenticated
request and opens a socket with ``?ticket=...``, so no lasting secret ends up in a URL (and in
a proxy's logs). It carries the credential that asked for it, so revoking that credential ends
the socket too."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Literal

from os1.errors import AccountError
from os1.server.database import Database

Scope = Literal["read", "chat", "admin"]
SCOPES: tuple[Scope, ...] = ("read", "chat", "admin")  # each may do what those before it may
TOKEN_PREFIX = "os1_"
TICKET_SECONDS = 30.0
MAX_TOKEN_DAYS = 3650.0

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS os1_api_tokens (
        id text PRIMARY KEY,
        account_id text NOT NULL REFERENCES os1_accounts (id) ON DELETE CASCADE,
        name text NOT NULL,
        token_hash text NOT NULL UNIQUE,
        created_at double precision NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS os1_socket_tickets (
        ticket_hash text PRIMARY KEY,
        account_id text NOT NULL REFERENCES os1_accounts (id) ON DELETE CASCADE,
        credential text NOT NULL,
        scope text NOT NULL,
        expires_at double precision NOT NULL)""",
)
# columns added since the first version: a database made before them gets them on start
COLUMNS = (
    ("os1_api_tokens", "scope", "text NOT NULL DEFAULT 'admin'"),  # older tokens could do all
    ("os1_api_tokens", "expires_at", "double precision"),  # NULL: an older token, no expiry
    ("os1_api_tokens", "last_used_at", "double precision"),
    ("os1_web_sessions", "created_at", "double precision NOT NULL DEFAULT 0"),
    ("os1_web_sessions", "agent", "text NOT NULL DEFAULT ''"),
)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def allows(scope: Scope, needed: Scope) -> bool:
    return SCOPES.index(scope) >= SCOPES.index(needed)


def check_scope(scope: str) -> Scope:
    if scope not in SCOPES:
        raise AccountError(f"a token's scope is one of {', '.join(SCOPES)}")
    return scope


def check_days(days: float) -> float:
    if not 0 < days <= MAX_TOKEN_DAYS:
        raise AccountError(f"a token lasts more than 0 and at most {MAX_TOKEN_DAYS:g} days")
    return days


@dataclass(frozen=True)
class TokenInfo:
    id: str
    name: str
    scope: Scope
    created_at: float
    expires_at: float | None
    last_used_at: float | None


@dataclass(frozen=True)
class Ticket:
    """What a redeemed ticket stands for."""

    account_id: str
    credential: str  # the SHA-256 of the session cookie or token that asked for it
    scope: Scope


async def _has(db: Database, table: str, column: str) -> bool:
    try:
        await db.fetchone(f"SELECT {column} FROM {table} LIMIT 1")
    except Exception:  # no such column (each call is its own transaction, so nothing is left open)
        return False
    return True


async def add_columns(db: Database) -> None:
    """Add the columns a database made by an older version lacks. Workers starting at once may
    race to add one: whoever loses finds it there and goes on."""
    for table, column, kind in COLUMNS:
        if await _has(db, table, column):
            continue
        try:
            await db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        except Exception:
            if not await _has(db, table, column):
                raise


class Tokens:
    """The token and ticket half of ``Accounts`` (it provides ``db``)."""

    db: Database

    async def new_token(self, account_id: str, name: str, scope: str = "chat",
                        days: float = 90.0) -> tuple[str, str]:
        """A new API token: its id and the token itself (shown once, stored only hashed)."""
        label = name.strip()[:64] or "token"
        chosen, lasts = check_scope(scope), check_days(days)
        token_id, token = "t" + secrets.token_hex(6), TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = time.time()
        await self.db.execute(
            "INSERT INTO os1_api_tokens (id, account_id, name, token_hash, created_at, scope, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (token_id, account_id, label, digest(token), now, chosen, now + lasts * 86400))
        return token_id, token

    async def tokens(self, account_id: str) -> list[TokenInfo]:
        rows = await self.db.fetchall(
            "SELECT id, name, scope, created_at, expires_at, last_used_at FROM os1_api_tokens"
            " WHERE account_id = ? ORDER BY created_at", (account_id,))
        return [TokenInfo(str(r[0]), str(r[1]), check_scope(str(r[2])), float(r[3]),
                          None if r[4] is None else float(r[4]), None if r[5] is None else float(r[5]))
                for r in rows]

    async def revoke_token(self, account_id: str, token_id: str) -> str | None:
        """Delete one of the account's tokens; its hash (to end what it opened), or None."""
        row = await self.db.fetchone(
            "SELECT token_hash FROM os1_api_tokens WHERE id = ? AND account_id = ?", (token_id, account_id))
        if row is None:
            return None
        await self.db.execute("DELETE FROM os1_api_tokens WHERE id = ?", (token_id,))
        return str(row[0])

    async def token_by_hash(self, token_hash: str) -> tuple[str, Scope] | None:
        """The account id and scope of an unexpired token, marking it used."""
        now = time.time()
        row = await self.db.fetchone(
            "SELECT account_id, scope, last_used_at FROM os1_api_tokens WHERE token_hash = ?"
            " AND (expires_at IS NULL OR expires_at > ?)", (token_hash, now))
        if row is None:
            return None
        if row[2] is None or now - float(row[2]) > 60:  # at most one write a minute per token
            await self.db.execute("UPDATE os1_api_tokens SET last_used_at = ? WHERE token_hash = ?",
                                  (now, token_hash))
        return str(row[0]), check_scope(str(row[1]))

    async def issue_ticket(self, account_id: str, credential: str, scope: Scope) -> str:
        ticket = secrets.token_urlsafe(32)
        now = time.time()
        await self.db.execute("DELETE FROM os1_socket_tickets WHERE expires_at < ?", (now,))
        await self.db.execute(
            "INSERT INTO os1_socket_tickets (ticket_hash, account_id, credential, scope, expires_at)"
            " VALUES (?, ?, ?, ?, ?)", (digest(ticket), account_id, credential, scope, now + TICKET_SECONDS))
        return ticket

    async def redeem_ticket(self, ticket: str) -> Ticket | None:
        """What an unexpired ticket stands for; it is gone after this, whoever asks next."""
        row = await self.db.fetchone(
            "SELECT account_id, credential, scope FROM os1_socket_tickets"
            " WHERE ticket_hash = ? AND expires_at > ?", (digest(ticket), time.time()))
        if row is None:
            return None
        # of two workers redeeming it at once, only the one whose delete took it wins
        taken = "DELETE FROM os1_socket_tickets WHERE ticket_hash = ?"
        if await self.db.execute(taken, (digest(ticket),)) != 1:
            return None
        return Ticket(str(row[0]), str(row[1]), check_scope(str(row[2])))


class LocalTickets:
    """Single mode's tickets: it has no accounts database and always one worker, so they live
    in that worker's memory."""

    def __init__(self) -> None:
        self._open: dict[str, tuple[Ticket, float]] = {}

    def issue(self, found: Ticket) -> str:
        now = time.time()
        self._open = {k: v for k, v in self._open.items() if v[1] > now}
        ticket = secrets.token_urlsafe(32)
        self._open[digest(ticket)] = (found, now + TICKET_SECONDS)
        return ticket

    def redeem(self, ticket: str) -> Ticket | None:
        found = self._open.pop(digest(ticket), None)
        return found[0] if found is not None and found[1] > time.time() else None
