"""What opens the door for a person: their password, their browser sessions, their API tokens
(scoped, expiring) and the single-use tickets sockets open with. Only the person, logged in
with the password, may mint tokens, change the password or list and end sessions; a token never
can. Ending a session or revoking a token ends, on every worker, the sockets it opened."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from os1.errors import AccountError
from os1.server.api.accounts import log_in, multi
from os1.server.api.schemas import (
    Me,
    NewToken,
    PasswordChange,
    SessionItem,
    SocketTicket,
    TokenInfo,
    TokenRequest,
)
from os1.server.auth import ApiError, Caller, owner, site_of, talker
from os1.server.tokens import TICKET_SECONDS, Ticket

router = APIRouter(prefix="/v1", tags=["account"])
Owner = Annotated[Caller, Depends(owner)]
Talker = Annotated[Caller, Depends(talker)]
PASSWORD_WINDOW_S = 900


@router.post("/sockets/ticket", response_model=SocketTicket)
async def ticket(who: Talker, request: Request) -> SocketTicket:
    """A ticket for one socket (``/v1/chat/ws?ticket=...``, ``/v1/voice?ticket=...``), good
    once within 30 seconds: a socket URL never carries a lasting secret."""
    site = site_of(request)
    credential = who.credential or ""
    if site.accounts is None:
        issued = site.tickets.issue(Ticket(who.user_id, credential, who.scope))
    else:
        issued = await site.accounts.issue_ticket(who.user_id, credential, who.scope)
    return SocketTicket(ticket=issued, expires_in=TICKET_SECONDS)


@router.get("/tokens", response_model=list[TokenInfo])
async def tokens(who: Owner, request: Request) -> list[TokenInfo]:
    site = site_of(request)
    multi(site)
    assert site.accounts is not None
    return [TokenInfo(**t.__dict__) for t in await site.accounts.tokens(who.user_id)]


@router.post("/tokens", response_model=NewToken, status_code=201)
async def new_token(body: TokenRequest, who: Owner, request: Request) -> NewToken:
    site = site_of(request)
    multi(site)
    assert site.accounts is not None
    token_id, token = await site.accounts.new_token(who.user_id, body.name, body.scope, body.days)
    made = next(t for t in await site.accounts.tokens(who.user_id) if t.id == token_id)
    return NewToken(**made.__dict__, token=token)


@router.delete("/tokens/{token_id}", status_code=204)
async def revoke_token(token_id: str, who: Owner, request: Request) -> Response:
    site = site_of(request)
    multi(site)
    assert site.accounts is not None
    credential = await site.accounts.revoke_token(who.user_id, token_id[:64])
    if credential is None:
        raise ApiError(404, f"no token {token_id[:64]!r}")
    await site.revoke(who.user_id, credential)
    return Response(status_code=204)


@router.get("/sessions", response_model=list[SessionItem])
async def sessions(who: Owner, request: Request) -> list[SessionItem]:
    """The person's browser sessions, oldest first; ``current`` is the one asking."""
    site = site_of(request)
    multi(site)
    assert site.accounts is not None
    return [SessionItem(id=s.id, created_at=s.created_at, expires_at=s.expires_at, agent=s.agent,
                        current=s.credential == who.credential)
            for s in await site.accounts.sessions(who.user_id)]


@router.delete("/sessions/{session_id}", status_code=204)
async def end_session(session_id: str, who: Owner, request: Request) -> Response:
    """Log one session out, and close its sockets."""
    site = site_of(request)
    multi(site)
    assert site.accounts is not None
    credential = await site.accounts.end_session_by_id(who.user_id, session_id[:64])
    if credential is None:
        raise ApiError(404, f"no session {session_id[:64]!r}")
    await site.revoke(who.user_id, credential)
    return Response(status_code=204)


@router.post("/auth/password", response_model=Me)
async def change_password(body: PasswordChange, who: Owner, request: Request,
                          response: Response) -> Me:
    """A new password, given the current one. Every session ends (their sockets close); this
    browser gets a fresh one. API tokens stay until revoked."""
    site = site_of(request)
    multi(site)
    assert site.accounts is not None
    failed = f"password-failed:{who.user_id}"
    if await site.limiter.peek(failed, site.settings.server.login_attempts, PASSWORD_WINDOW_S) is not None:
        raise ApiError(429, "too many wrong passwords; try again later")
    if await site.accounts.verify(who.account.username, body.current) is None:
        await site.limiter.hit(failed, site.settings.server.login_attempts, PASSWORD_WINDOW_S)
        raise ApiError(403, "the current password is wrong")
    ended = await site.accounts.sessions(who.user_id)
    try:
        await site.accounts.set_password(who.user_id, body.new)
    except AccountError as exc:
        raise ApiError(400, str(exc)) from None
    for session in ended:
        await site.revoke(who.user_id, session.credential)
    return await log_in(site, request, response, who.account)
