"""Who is calling: the local user (single mode), a browser session, or an API token; and the
checks every request passes before it reaches a route (CSRF, origin, host, rate limits).

* Single mode answers only to loopback host names, so a web page on another site cannot reach
  it by rebinding its own name to 127.0.0.1.
* A browser session's unsafe requests carry the CSRF token that was issued with the session
  (``X-CSRF-Token``); a page on another site can send the cookie but cannot read the token.
* WebSockets are not covered by the same-origin policy, so their ``Origin`` must be this
  server's own (or one listed in ``server.origins``)."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from starlette.requests import HTTPConnection

from os1.server.accounts import Account
from os1.server.site import Site

SESSION_COOKIE = "os1_session"
CSRF_COOKIE = "os1_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


@dataclass(frozen=True)
class Caller:
    account: Account
    via: Literal["local", "session", "token"]
    csrf: str | None = None  # the token unsafe requests must carry (not for API tokens)
    session: str | None = None  # the session cookie's value, to end it at logout

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


def _hostname(host: str) -> str:
    return urlsplit(f"//{host}").hostname or ""


def check_host(site: Site, conn: HTTPConnection) -> None:
    if site.mode == "single":
        host = _hostname(conn.headers.get("host", ""))
        if host not in LOOPBACK_HOSTS and f"[{host}]" not in LOOPBACK_HOSTS:
            raise ApiError(403, "this single-user server answers only on this machine (127.0.0.1)")


def same_origin(site: Site, conn: HTTPConnection) -> bool:
    origin = conn.headers.get("origin")
    if origin is None:
        return True  # not a browser, or a same-origin navigation
    if origin in site.settings.server.origins:
        return True
    parts = urlsplit(origin)
    return parts.netloc == conn.headers.get("host", "") and parts.scheme in ("http", "https")


def _bearer(conn: HTTPConnection) -> str | None:
    header = conn.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return conn.query_params.get("token") if conn.scope["type"] == "websocket" else None


async def identify(site: Site, conn: HTTPConnection) -> Caller | None:
    if site.accounts is None:
        return Caller(site.local_account(), "local", site.local_csrf())
    if (token := _bearer(conn)) is not None:
        account = await site.accounts.by_token(token)
        return Caller(account, "token") if account else None
    if (cookie := conn.cookies.get(SESSION_COOKIE)) is not None:
        session = await site.accounts.session(cookie)
        if session is not None:
            return Caller(session.account, "session", session.csrf, cookie)
    return None


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
