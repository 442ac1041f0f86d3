"""Who is calling: the local user (single mode), a browser session, or an API token; and the
checks every request passes before it reaches a route (CSRF, origin, host, rate limits).

* Single mode answers only to loopback host names, so a web page on another site cannot reach
  it by rebinding its own name to 127.0.0.1, and only to a caller that shows this machine's key
  (``os1.access``): a bearer header, or the cookie that the printed link leaves in the browser.
* A browser session's unsafe requests carry the CSRF token that was issued with the session
  (``X-CSRF-Token``); a page on another site can send the cookie but cannot read the token.
* WebSockets are not covered by the same-origin policy, so their ``Origin`` must be this
  server's own (or one listed in ``server.origins``)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from fastapi import HTTPException, Request
from starlette.requests import HTTPConnection

from os1 import access
from os1.access import COOKIE, bearer, is_loopback, shows_key
from os1.server.accounts import Account
from os1.server.site import Site

SESSION_COOKIE = "os1_session"
CSRF_COOKIE = "os1_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Caller:
    account: Account
    via: Literal["local", "session", "token"]
    csrf: str | None = None  # the token unsafe requests must carry (not for API tokens)
    secret: str | None = None  # what it showed: the session cookie or the API token

    @property
    def user_id(self) -> str:
        return self.account.id

    @property
    def credential(self) -> str | None:
        """The SHA-256 of what it showed, as the accounts store it: names it in revocations."""
        return hashlib.sha256(self.secret.encode()).hexdigest() if self.secret else None


class ApiError(HTTPException):
    """A refused request: its status and one line saying why."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status, message, dict(headers) if headers else None)


def site_of(conn: HTTPConnection) -> Site:
    site: Site = conn.app.state.site
    return site


def check_host(site: Site, conn: HTTPConnection) -> None:
    if site.mode == "single" and not is_loopback(conn.headers.get("host", "")):
        raise ApiError(403, "this single-user server answers only on this machine (127.0.0.1)")


def same_origin(site: Site, conn: HTTPConnection) -> bool:
    """A browser page's request comes from this server's own pages (or ``server.origins``)."""
    return access.same_origin(conn.headers.get("origin"), conn.headers.get("host", ""),
                              site.settings.server.origins)


def _bearer(conn: HTTPConnection) -> str | None:
    if (token := bearer(conn.headers.get("authorization", ""))) is not None:
        return token
    return conn.query_params.get("token") if conn.scope["type"] == "websocket" else None


def _local(site: Site, conn: HTTPConnection) -> Caller | None:
    """Single mode: the owner, if the caller shows this machine's key."""
    key = site.local_key
    if shows_key(_bearer(conn), key):
        return Caller(site.local_account(), "token", None, key)
    if shows_key(conn.cookies.get(COOKIE), key):
        return Caller(site.local_account(), "local", site.local_csrf(), key)
    return None


async def identify(site: Site, conn: HTTPConnection) -> Caller | None:
    if site.accounts is None:
        return _local(site, conn)
    if (token := _bearer(conn)) is not None:
        account = await site.accounts.by_token(token)
        return Caller(account, "token", None, token) if account else None
    if (cookie := conn.cookies.get(SESSION_COOKIE)) is not None:
        session = await site.accounts.session(cookie)
        if session is not None:
            return Caller(session.account, "session", session.csrf, cookie)
    return None


async def still_valid(site: Site, who: Caller) -> bool:
    """Whether what ``who`` showed still opens the door (a long-lived socket asks again)."""
    if site.accounts is None or who.secret is None:
        return True  # the machine's key does not change while the server runs
    if who.via == "token":
        return await site.accounts.by_token(who.secret) is not None
    return await site.accounts.session(who.secret) is not None


def check_csrf(caller: Caller, request: Request) -> None:
    if request.method in SAFE_METHODS or caller.via == "token":
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if caller.csrf is None or not hmac.compare_digest(sent, caller.csrf):
        raise ApiError(403, f"missing or wrong {CSRF_HEADER} header"
                            f" (send the value of the {CSRF_COOKIE} cookie)")


async def limit(site: Site, key: str, per_minute: int, what: str) -> None:
    wait = await site.limiter.hit(key, per_minute, 60)
    if wait is not None:
        raise ApiError(429, f"too many {what}; try again in {max(1, round(wait))} s",
                       {"Retry-After": str(max(1, round(wait)))})


async def caller(request: Request) -> Caller:
    """The dependency of every route that acts for a user."""
    site = site_of(request)
    check_host(site, request)
    if request.method not in SAFE_METHODS and not same_origin(site, request):
        raise ApiError(403, "requests from another site are refused")
    who = await identify(site, request)
    if who is None:
        raise ApiError(401, "log in first")
    check_csrf(who, request)
    await limit(site, f"req:{who.user_id}", site.settings.server.requests_per_minute, "requests")
    return who
