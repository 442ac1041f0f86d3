"""Who is calling: the local user (single mode), a browser session, or an API token (with its
scope); and the checks every request passes before it reaches a route (CSRF, origin, host,
scope, rate limits).

* Single mode answers only to loopback host names, so a web page on another site cannot reach
  it by rebinding its own name to 127.0.0.1, and only to a caller that shows this machine's key
  (``os1.access``): a bearer header, or the cookie that the printed link leaves in the browser.
* A browser session's unsafe requests carry the CSRF token that was issued with the session
  (``X-CSRF-Token``); a page on another site can send the cookie but cannot read the token.
* WebSockets are not covered by the same-origin policy, so their ``Origin`` must be this
  server's own (or one listed in ``server.origins``). A socket shows a header, a cookie, or a
  single-use ticket (``?ticket=``, ``os1.server.tokens``); never a lasting secret in its URL."""

from __future__ import annotations

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
from os1.server.tokens import Scope, allows, digest

SESSION_COOKIE = "os1_session"
CSRF_COOKIE = "os1_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TICKET = "ticket"  # a socket URL's query parameter (POST /v1/sockets/ticket)


@dataclass(frozen=True)
class Caller:
    account: Account
    via: Literal["local", "session", "token"]
    csrf: str | None = None  # the token unsafe requests must carry (not for API tokens)
    # the SHA-256 of what it showed (session cookie, API token, the machine's key), as the
    # accounts store it: it names the caller in revocations; a socket opened with a ticket
    # carries the credential that asked for the ticket
    credential: str | None = None
    scope: Scope = "admin"
    by_token: bool = False  # an API token (or a ticket one asked for): never mints tokens

    @property
    def user_id(self) -> str:
        return self.account.id


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


def _local(site: Site, conn: HTTPConnection) -> Caller | None:
    """Single mode: the owner, if the caller shows this machine's key."""
    key = site.local_key
    if shows_key(bearer(conn.headers.get("authorization", "")), key):
        return Caller(site.local_account(), "token", None, digest(key))
    if shows_key(conn.cookies.get(COOKIE), key):
        return Caller(site.local_account(), "local", site.local_csrf(), digest(key))
    return None


async def _ticket(site: Site, ticket: str) -> Caller | None:
    """A socket's single-use ticket: the caller that asked for it, if that is still valid."""
    if site.accounts is None:
        found = site.tickets.redeem(ticket)
        return None if found is None else Caller(site.local_account(), "local", None, found.credential,
                                                 found.scope)
    found = await site.accounts.redeem_ticket(ticket)
    if found is None:
        return None
    if (by_token := await site.accounts.by_token_hash(found.credential)) is not None:
        return Caller(by_token[0], "token", None, found.credential, found.scope, True)
    if (session := await site.accounts.session(found.credential)) is not None:
        return Caller(session.account, "session", None, found.credential, found.scope)
    return None


async def identify(site: Site, conn: HTTPConnection) -> Caller | None:
    """Who shows what: a bearer header, a socket's ticket, or a cookie."""
    if conn.scope["type"] == "websocket" and (ticket := conn.query_params.get(TICKET)) is not None:
        return await _ticket(site, ticket)
    if site.accounts is None:
        return _local(site, conn)
    if (token := bearer(conn.headers.get("authorization", ""))) is not None:
        found = await site.accounts.by_token(token)
        return Caller(found[0], "token", None, digest(token), found[1], True) if found else None
    if (cookie := conn.cookies.get(SESSION_COOKIE)) is not None:
        session = await site.accounts.session(digest(cookie))
        if session is not None:
            return Caller(session.account, "session", session.csrf, digest(cookie))
    return None


async def still_valid(site: Site, who: Caller) -> bool:
    """Whether what ``who`` showed still opens the door (a long-lived socket asks again)."""
    if site.accounts is None or who.credential is None:
        return True  # the machine's key does not change while the server runs
    if who.by_token:
        return await site.accounts.by_token_hash(who.credential) is not None
    return await site.accounts.session(who.credential) is not None


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


async def _checked(request: Request, needed: Scope) -> Caller:
    site = site_of(request)
    check_host(site, request)
    if request.method not in SAFE_METHODS and not same_origin(site, request):
        raise ApiError(403, "requests from another site are refused")
    who = await identify(site, request)
    if who is None:
        raise ApiError(401, "log in first")
    check_csrf(who, request)
    if not allows(who.scope, needed):
        raise ApiError(403, f"this token's scope is {who.scope}; this needs {needed}")
    await limit(site, f"req:{who.user_id}", site.settings.server.requests_per_minute, "requests")
    return who


async def caller(request: Request) -> Caller:
    """The dependency of every route that acts for a user: looking needs a token's ``read``
    scope, changing anything ``admin``."""
    return await _checked(request, "read" if request.method in SAFE_METHODS else "admin")


async def talker(request: Request) -> Caller:
    """The dependency of the routes that talk (a turn, a socket's ticket): ``chat`` scope."""
    return await _checked(request, "chat")


async def owner(request: Request) -> Caller:
    """The dependency of what only the person may do, never a token: mint tokens, change the
    password, list and end sessions."""
    who = await _checked(request, "admin")
    if who.by_token:
        raise ApiError(403, "a token cannot do this; log in with your password")
    return who
