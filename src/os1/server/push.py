"""Web Push: proposals reach a user's browsers with the tab closed.

The site's VAPID key pair is made once and kept in the site's database (``os1_site``), so every
worker signs alike; the public half is what a browser subscribes with. A subscription (its push
service URL and the browser's keys) is kept per user in ``os1_push``. Sending encrypts the payload
for each of the user's browsers (aes128gcm, RFC 8291, by pywebpush) and signs it with the key; a
push service that answers 404 or 410 has forgotten the browser, and its subscription is dropped.

Push service URLs come from browsers, so they are checked: HTTPS to a public name in multi mode;
single mode (one person, on their own machine) also allows plain HTTP on loopback."""

from __future__ import annotations

import base64
import ipaddress
import json
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from os1.errors import InputError
from os1.server.database import SECRET_SCHEMA, Database, make_tables

log = logging.getLogger(__name__)
SCHEMA = ("CREATE TABLE IF NOT EXISTS os1_push (user_id text NOT NULL, endpoint text NOT NULL,"
          " p256dh text NOT NULL, auth text NOT NULL, created real NOT NULL,"
          " PRIMARY KEY (user_id, endpoint))")
MAX_PER_USER = 20  # browsers one person may subscribe
MAX_ENDPOINT = 2000
SEND_S = 10.0  # a push service slower than this is given up on for this proposal
GONE = (404, 410)


@dataclass(frozen=True)
class Subscription:
    endpoint: str
    p256dh: str
    auth: str

    def info(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _key_bytes(value: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError:
        raise InputError("a subscription's keys are base64url") from None


def check_endpoint(endpoint: str, *, loopback_http: bool) -> str:
    """The push service URL, if it is one os1 may post to."""
    if len(endpoint) > MAX_ENDPOINT:
        raise InputError("a push endpoint is at most 2000 characters")
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname or ""
    except ValueError:  # a malformed address ("https://[x")
        raise InputError("a push endpoint is an https:// URL of a push service") from None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    local = host == "localhost" or (address is not None and address.is_loopback)
    if parts.scheme == "http" and local and loopback_http:
        return endpoint
    if parts.scheme != "https" or not host or local or (address is not None and not address.is_global):
        raise InputError("a push endpoint is an https:// URL of a push service")
    return endpoint


def check_keys(p256dh: str, auth: str) -> None:
    if len(_key_bytes(p256dh)) != 65 or len(_key_bytes(auth)) != 16:
        raise InputError("a subscription needs keys.p256dh (a P-256 point) and keys.auth (16 bytes)")


class Push:
    """The site's VAPID key and its users' browser subscriptions, over one database."""

    def __init__(self, db: Database, vapid: Any, contact: str, *, loopback_http: bool) -> None:
        self.db, self.vapid, self.contact, self.loopback_http = db, vapid, contact, loopback_http

    @classmethod
    async def open(cls, db: Database, contact: str, *, loopback_http: bool) -> Push:
        from py_vapid import Vapid

        await make_tables(db, SECRET_SCHEMA, SCHEMA)
        made = Vapid()
        made.generate_keys()
        await db.execute("INSERT INTO os1_site (name, value) VALUES ('vapid', ?)"
                         " ON CONFLICT (name) DO NOTHING",
                         (made.private_pem().decode(),))
        row = await db.fetchone("SELECT value FROM os1_site WHERE name = 'vapid'")
        assert row is not None
        return cls(db, Vapid.from_pem(str(row[0]).encode()), contact, loopback_http=loopback_http)

    @property
    def public_key(self) -> str:
        """The application server key a browser subscribes with (base64url, uncompressed point)."""
        return _b64(self.vapid.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))

    async def subscribe(self, user_id: str, endpoint: str, p256dh: str, auth: str) -> None:
        check_endpoint(endpoint, loopback_http=self.loopback_http)
        check_keys(p256dh, auth)
        held = await self.subscriptions(user_id)
        if len(held) >= MAX_PER_USER and endpoint not in {s.endpoint for s in held}:
            raise InputError(f"at most {MAX_PER_USER} browsers get notifications; unsubscribe one first")
        await self.db.execute("DELETE FROM os1_push WHERE user_id = ? AND endpoint = ?", (user_id, endpoint))
        await self.db.execute("INSERT INTO os1_push (user_id, endpoint, p256dh, auth, created)"
                              " VALUES (?, ?, ?, ?, ?)", (user_id, endpoint, p256dh, auth, time.time()))

    async def unsubscribe(self, user_id: str, endpoint: str) -> bool:
        return await self.db.execute("DELETE FROM os1_push WHERE user_id = ? AND endpoint = ?",
                                     (user_id, endpoint)) > 0

    async def subscriptions(self, user_id: str) -> list[Subscription]:
        rows = await self.db.fetchall("SELECT endpoint, p256dh, auth FROM os1_push WHERE user_id = ?"
                                      " ORDER BY created", (user_id,))
        return [Subscription(str(r[0]), str(r[1]), str(r[2])) for r in rows]

    async def send(self, user_id: str, payload: dict[str, Any]) -> int:
        """Push ``payload`` to each of the user's browsers; returns how many push services took it."""
        sent = 0
        for sub in await self.subscriptions(user_id):
            sent += await self._send_one(user_id, sub, json.dumps(payload))
        return sent

    async def _send_one(self, user_id: str, sub: Subscription, data: str) -> int:
        from pywebpush import WebPushException, webpush_async

        try:
            await webpush_async(sub.info(), data, vapid_private_key=self.vapid,
                                vapid_claims={"sub": self.contact}, timeout=SEND_S, ttl=24 * 3600)
            return 1
        except WebPushException as exc:
            if exc.status_code in GONE:
                await self.unsubscribe(user_id, sub.endpoint)
            log.warning("web push to %s failed: %s", urlsplit(sub.endpoint).hostname, exc.status_code)
        except Exception as exc:  # the push service cannot be reached: the socket and desktop still had it
            log.warning("web push to %s failed: %s", urlsplit(sub.endpoint).hostname, type(exc).__name__)
        return 0
