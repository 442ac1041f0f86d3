"""Health, the session, registration, login, logout and the caller's own account."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import PlainTextResponse, RedirectResponse

from os1.access import COOKIE, QUERY, shows_key
from os1.errors import AccountError
from os1.server.accounts import Account
from os1.server.api.schemas import Credentials, Health, Me, SessionInfo
from os1.server.auth import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    ApiError,
    Caller,
    caller,
    check_host,
    identify,
    same_origin,
    site_of,
)
from os1.server.site import Site
from os1.server.tokens import digest

router = APIRouter(prefix="/v1", tags=["account"])
local = APIRouter()
Who = Annotated[Caller, Depends(caller)]
LOGIN_WINDOW_S = 900


async def me_of(site: Site, account: Account) -> Me:
    async with site.spaces.use(account.id) as space:
        profile = await space.store.profile()
    return Me(id=account.id, username=account.username, admin=account.admin,
              onboarded=profile.get("onboarded") == "yes", user_name=profile.get("user_name"),
              os_name=profile.get("os_name"))


def _set_cookies(request: Request, response: Response, session: str | None, csrf: str, days: float) -> None:
    secure = request.url.scheme == "https"
    age = int(days * 86400)
    if session is not None:
        response.set_cookie(SESSION_COOKIE, session, max_age=age, httponly=True, samesite="lax",
                            secure=secure)
    response.set_cookie(CSRF_COOKIE, csrf, max_age=age, httponly=False, samesite="lax", secure=secure)


def multi(site: Site) -> None:
    if site.accounts is None:
        raise ApiError(404, "this server has no accounts (single-user mode)")


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _check_browser(site: Site, request: Request) -> None:
    check_host(site, request)
    if not same_origin(site, request):
        raise ApiError(403, "requests from another site are refused")


@local.get("/login", include_in_schema=False)
async def local_login(request: Request) -> Response:
    """Single mode: the link ``os1 serve`` prints. Its key becomes an HttpOnly cookie, and the
    browser goes on to the app without the key in its address bar or history."""
    site = site_of(request)
    check_host(site, request)
    if site.accounts is not None or not shows_key(request.query_params.get(QUERY), site.local_key):
        return PlainTextResponse("This link is not valid here: open the one `os1 serve` printed.", 403)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(COOKIE, site.local_key, max_age=int(site.settings.server.session_days * 86400),
                        httponly=True, samesite="lax", secure=request.url.scheme == "https")
    return response


@router.get("/health", response_model=Health)
async def health(request: Request) -> Health:
    site = site_of(request)
    return Health(status="ok", mode=site.settings.server.mode, worker=site.worker,
                  connected=site.hub.connected, open_users=site.spaces.open_count)


@router.get("/session", response_model=SessionInfo)
async def session(request: Request, response: Response) -> SessionInfo:
    """Who this browser is (if anyone); single mode also hands out its CSRF cookie here."""
    site = site_of(request)
    check_host(site, request)
    server = site.settings.server
    who = await identify(site, request)
    if who is not None and who.via == "local" and who.csrf:
        _set_cookies(request, response, None, who.csrf, server.session_days)
    me = await me_of(site, who.account) if who else None
    return SessionInfo(mode=server.mode, registration=server.mode == "multi" and server.registration,
                       user=me, csrf=who.csrf if who else None)


async def log_in(site: Site, request: Request, response: Response, account: Account) -> Me:
    """A fresh session every time: a session id planted before login is never kept."""
    assert site.accounts is not None
    if (old := request.cookies.get(SESSION_COOKIE)) is not None:
        await site.accounts.end_session(digest(old))
    days = site.settings.server.session_days
    token, csrf = await site.accounts.start_session(account, days, request.headers.get("user-agent", ""))
    _set_cookies(request, response, token, csrf, days)
    return await me_of(site, account)


@router.post("/auth/register", response_model=Me, status_code=201)
async def register(body: Credentials, request: Request, response: Response) -> Me:
    site = site_of(request)
    multi(site)
    _check_browser(site, request)
    assert site.accounts is not None
    if not site.settings.server.registration:
        raise ApiError(403, "registration is closed here; ask the operator for an account")
    wait = await site.limiter.hit(f"register:{_address(request)}", 10, 3600)
    if wait is not None:
        raise ApiError(429, "too many new accounts from this address; try later",
                       {"Retry-After": str(max(1, round(wait)))})
    try:
        account = await site.accounts.create(body.username, body.password)
    except AccountError as exc:
        raise ApiError(409 if "taken" in str(exc) else 400, str(exc)) from None
    return await log_in(site, request, response, account)


@router.post("/auth/login", response_model=Me)
async def login(body: Credentials, request: Request, response: Response) -> Me:
    """Failed logins are counted per account and per client address; successes never count.
    An address that keeps failing is refused for a while; an account that keeps failing is only
    slowed (``server.login_delay_seconds`` an attempt, one at a time), never locked, so nobody
    can lock its owner out by guessing."""
    site = site_of(request)
    multi(site)
    _check_browser(site, request)
    assert site.accounts is not None
    attempts = site.settings.server.login_attempts
    name_key = f"login-failed:{body.username.strip().lower()}"
    address_key = f"login-failed-from:{_address(request)}"
    if (wait := await site.limiter.peek(address_key, attempts * 4, LOGIN_WINDOW_S)) is not None:
        raise ApiError(429, f"too many failed logins from here; try again in {max(1, round(wait / 60))} min",
                       {"Retry-After": str(max(1, round(wait)))})
    async with site.login_gate(name_key):
        if await site.limiter.peek(name_key, attempts, LOGIN_WINDOW_S) is not None:
            await asyncio.sleep(site.settings.server.login_delay_seconds)
        account = await site.accounts.verify(body.username, body.password)
    if account is None:
        await site.limiter.hit(name_key, attempts, LOGIN_WINDOW_S)
        await site.limiter.hit(address_key, attempts * 4, LOGIN_WINDOW_S)
        raise ApiError(401, "wrong username or password")
    await site.limiter.clear(name_key)
    return await log_in(site, request, response, account)


@router.post("/auth/logout", status_code=204)
async def logout(who: Who, request: Request) -> Response:
    site = site_of(request)
    response = Response(status_code=204)
    if site.accounts is not None and who.via == "session" and who.credential is not None:
        await site.accounts.end_session(who.credential)
        await site.revoke(who.user_id, who.credential)
        response.delete_cookie(SESSION_COOKIE)
        response.delete_cookie(CSRF_COOKIE)
    return response


@router.get("/me", response_model=Me)
async def me(who: Who, request: Request) -> Me:
    return await me_of(site_of(request), who.account)
