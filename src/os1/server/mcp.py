"""os1's MCP server (``os1.agents.mcp_server``) opened onto real data, with its doors.

* ``PersonHoldings``: one person's memory store, letters and calendar, as the tools reach them.
* ``local_doors``: the one configured user (``os1 mcp serve``, stdio or HTTP on loopback); a
  client may use what the user granted it by name (``os1.agents.mcp_consent``). Over HTTP,
  ``KeyOnly`` first asks every request for this machine's key (``os1.access``), as ``os1 serve``
  does in single mode, so another local user or a web page cannot speak for a granted client.
* ``PeopleMcp``: multi mode, at ``/mcp`` of ``os1 serve``. Every request shows one of its person's
  API tokens (``Authorization: Bearer os1_...``), and each call reaches the data of the token's
  owner only, whatever MCP session it arrives in. The token is the client's consent: its scope
  says what the client may use (``read``: read; ``chat``: remember too; ``admin``: forget too),
  and revoking the token revokes the client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from mcp.server.fastmcp import Context
from mcp.server.fastmcp.server import StreamableHTTPASGIApp
from mcp.server.transport_security import TransportSecuritySettings
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from os1.access import bearer, shows_key
from os1.agents.mcp_consent import Use, allowed, client_name
from os1.agents.mcp_server import Doors, Holdings, Visit, announced, memory_server
from os1.config import Settings
from os1.dav.calendar import Calendar
from os1.errors import InputError
from os1.letters.keeping import Letter, LetterStore, letters_dir
from os1.memory.sqlite import store_path
from os1.server.auth import ApiError, Caller, check_host, identify, limit, site_of
from os1.server.tokens import Scope as TokenScope
from os1.timezones import zone_of

PATH = "/mcp"
CALLER = "os1.mcp_caller"  # where the door finds who a request's token belongs to
SCOPE_USES: dict[TokenScope, frozenset[Use]] = {
    "read": frozenset({"read"}), "chat": frozenset({"read", "remember"}),
    "admin": frozenset({"read", "remember", "forget"})}
NEEDS: dict[Use, TokenScope] = {"read": "read", "remember": "chat", "forget": "admin"}


class PersonHoldings:
    """One person's data: ``settings`` as seen by them (their user, their calendar) and their store."""

    def __init__(self, settings: Settings, store: Any) -> None:
        self.settings = settings
        self._store = store

    @property
    def store(self) -> Any:
        return self._store

    @asynccontextmanager
    async def _letters(self) -> AsyncIterator[LetterStore]:
        kept = LetterStore(letters_dir(store_path(self.settings.home, self.settings.user).parent))
        try:
            yield kept
        finally:
            await kept.close()

    async def letters(self, limit: int) -> list[str]:
        async with self._letters() as kept:
            found = [x for x in await kept.find() if not x.private][:limit]
        return [f"- #{x.id} ({x.when}) to {x.brief.to}{_for(x)}" for x in found]

    async def letter(self, letter_id: int) -> str | None:
        async with self._letters() as kept:
            found = await kept.get(letter_id)
        if found is None or found.private:
            return None
        return f"Letter #{found.id} ({found.when}) to {found.brief.to}{_for(found)}\n\n{found.text}"

    async def upcoming(self, days: int) -> list[str]:
        calendar = Calendar(self.settings.calendar, zone_of(await self._store.profile()))
        start = datetime.now(calendar.zone).astimezone(calendar.zone)
        events = await calendar.events(start, start + timedelta(days=days))
        return [f"- {e.line()}" for e in events]


def _for(letter: Letter) -> str:
    return f", {letter.brief.occasion}" if letter.brief.occasion else ""


def local_doors(holdings: Holdings, grants: Path, client: str | None = None) -> Doors:
    """The one user's door: ``client`` names the client (else it is the name it announces), and
    it may use what ``grants`` lists for that name, read at every call."""

    @asynccontextmanager
    async def door(ctx: Context[Any, Any, Any]) -> AsyncIterator[Visit]:
        name = client_name(client or announced(ctx) or "unnamed")
        uses = allowed(grants, name)

        def how_to_allow(use: Use) -> str:
            if not uses:
                return (f"MCP client {name!r} is not allowed to use os1; the user can allow it with"
                        f" `os1 mcp grant {name} --{use}`")
            return (f"MCP client {name!r} may not {use}; the user can allow it with"
                    f" `os1 mcp grant {name} --{use}`")

        yield Visit(holdings, name, uses, how_to_allow)

    return door


class PeopleMcp:
    """Multi mode's MCP server at ``/mcp``: a route for the app and the session manager to run
    with its lifespan."""

    def __init__(self, state: Any) -> None:
        self.state = state  # the app's state; its ``site`` opens with the app
        # os1's own checks guard the door (a person's token on every request), not host names
        server = memory_server(self._door, streamable_http_path=PATH,
                               transport_security=TransportSecuritySettings(
                                   enable_dns_rebinding_protection=False))
        server.streamable_http_app()  # makes the session manager
        self.manager = server.session_manager
        self.route = Route(PATH, endpoint=TokenOnly(StreamableHTTPASGIApp(self.manager)))

    def run(self) -> AbstractAsyncContextManager[None]:
        return self.manager.run()

    @asynccontextmanager
    async def _door(self, ctx: Context[Any, Any, Any]) -> AsyncIterator[Visit]:
        request = ctx.request_context.request
        who: Caller | None = request.scope.get(CALLER) if request is not None else None
        if who is None:  # every request passed TokenOnly; a call without one reaches nothing
            raise InputError("show one of your API tokens (Authorization: Bearer os1_...)")

        def how_to_allow(use: Use) -> str:
            return f"this token's scope is {who.scope}; {use} needs a token of scope {NEEDS[use]} or more"

        async with self.state.site.spaces.use(who.user_id) as space:
            holdings = PersonHoldings(space.runtime.settings, space.store)
            yield Visit(holdings, client_name(announced(ctx) or "unnamed"), SCOPE_USES[who.scope],
                        how_to_allow)


class TokenOnly:
    """Lets through only requests that show an unexpired API token (a browser's session cookie
    is not enough: no page can then make a person's browser call it), within the person's
    request rate; the caller rides along in the ASGI scope."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        from starlette.requests import Request

        request = Request(scope, receive)
        site = site_of(request)
        try:
            check_host(site, request)
            who = await identify(site, request)
            if who is None or not who.by_token:
                raise ApiError(401, "show one of your API tokens (Authorization: Bearer os1_...)")
            await limit(site, f"req:{who.user_id}", site.settings.server.requests_per_minute, "requests")
        except ApiError as refused:
            answer = JSONResponse({"error": refused.detail}, refused.status_code, refused.headers)
            await answer(scope, receive, send)
            return
        await self.app({**scope, CALLER: who}, receive, send)


class KeyOnly:
    """Lets through only requests that show this machine's key (``Authorization: Bearer KEY``)."""

    def __init__(self, app: ASGIApp, key: str) -> None:
        self.app, self.key = app, key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            presented = bearer(headers.get(b"authorization", b"").decode("latin-1"))
            if not shows_key(presented, self.key):
                refused = JSONResponse({"error": "show this machine's key (Authorization: Bearer, the file"
                                                 " local-key in os1's data directory)"}, 401)
                await refused(scope, receive, send)
                return
        await self.app(scope, receive, send)
