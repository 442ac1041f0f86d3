"""os1 as an A2A agent while it serves (``agents.a2a_card``, off by default; ``os1.agents.a2a_serve``).

Single mode: the user's choice is the setting; the card is at ``/.well-known/agent-card.json`` and
the endpoint at ``/a2a``, for requests to a loopback host name, as every single-mode request must
be. Multi mode: the setting lets people choose, and each person who opts in (their preference
``agent_card``, off by default) has a card at ``/people/NAME/.well-known/agent-card.json`` and an
endpoint at ``/people/NAME/a2a``, rate limited per person; anyone else's paths answer 404, the
same as a name with no account, so the paths tell no one who has an account.

Either way the OS answers under its own name from nothing but the conversation
(``os1.agents.a2a_reply``), so another agent reaches none of the person's data and cannot make
os1 act. Its words are spotlighted by the guard's own marker before a model sees them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from os1.access import is_loopback
from os1.agent.persona import Persona
from os1.agents.a2a_reply import PersonaReplier, Self
from os1.agents.a2a_serve import RPC_PATH, a2a_routes, agent_card
from os1.config import Settings
from os1.safety.spotlight import Spotlight
from os1.server.api.profile import OPT_IN
from os1.server.auth import ApiError, limit

WELL_KNOWN = "/.well-known/"
PEOPLE = "/people/{name}"
DESCRIPTION = "An OS: a personal AI companion. Talk with it; it answers for itself."


def base_url(settings: Settings) -> str:
    server = settings.server
    return (settings.agents.a2a_url or f"http://{server.host}:{server.port}").rstrip("/")


def replier(settings: Settings, state: Any, user_id: str) -> PersonaReplier:
    """Answers for ``user_id``'s OS; ``state`` is the app's state, whose ``site`` opens with the app."""

    @asynccontextmanager
    async def open_self() -> AsyncIterator[Self]:
        async with state.site.spaces.use(user_id) as space:
            name = Persona.from_profile(await space.store.profile()).name
            yield Self(space.runtime.model, space.store, name)

    return PersonaReplier(open_self, Spotlight().show, max_tokens=settings.llm.max_tokens)


def card_routes(settings: Settings, state: Any) -> list[Any]:
    """Single mode: the one user's card and endpoint."""
    card = agent_card(settings.agents.a2a_name or "os1", base_url(settings), DESCRIPTION)
    return a2a_routes(card, replier(settings, state, settings.user))


class People:
    """Multi mode: the card and endpoint of each person who opts in, made at first use."""

    def __init__(self, settings: Settings, state: Any) -> None:
        self.settings, self.state = settings, state
        self._made: dict[str, tuple[str, list[Any]]] = {}  # user id -> (the OS's name, its routes)

    def routes(self) -> list[Route]:
        return [Route(PEOPLE + "/.well-known/agent-card.json", self.card, methods=["GET"]),
                Route(PEOPLE + RPC_PATH, self.rpc, methods=["POST"])]

    async def card(self, request: Request) -> Response:
        routes = await self._routes_of(request)
        return await routes[0].endpoint(request)  # type: ignore[no-any-return]

    async def rpc(self, request: Request) -> Response:
        routes = await self._routes_of(request)
        site = self.state.site
        await limit(site, f"a2a:{request.path_params['name']}", self.settings.server.turns_per_minute,
                    "messages to this agent")
        return await routes[1].endpoint(request)  # type: ignore[no-any-return]

    async def _routes_of(self, request: Request) -> list[Any]:
        """The person's routes, or 404 when the name has no account, is disabled or has not
        opted in (one answer for all three)."""
        name = str(request.path_params["name"])
        site = self.state.site
        account = await site.accounts.by_name(name) if site.accounts is not None else None
        if account is None or account.disabled:
            raise ApiError(404, "no such agent")
        async with site.spaces.use(account.id) as space:
            profile = await space.store.profile()
        if profile.get(OPT_IN) != "on":
            raise ApiError(404, "no such agent")
        os_name = Persona.from_profile(profile).name
        made = self._made.get(account.id)
        if made is None or made[0] != os_name:  # its OS named itself anew: a new card
            prefix = PEOPLE.format(name=name)
            card = agent_card(os_name, base_url(self.settings) + prefix, DESCRIPTION)
            made = self._made[account.id] = (os_name, a2a_routes(card, replier(self.settings, self.state,
                                                                               account.id), prefix))
        return made[1]


class LoopbackOnly:
    """The A2A paths answer only requests to a loopback host name (no DNS rebinding)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (path == RPC_PATH or path.startswith(WELL_KNOWN)):
            host = dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1")
            if not is_loopback(host):
                await JSONResponse({"error": "this agent answers only on this machine"}, 403)(
                    scope, receive, send)
                return
        await self.app(scope, receive, send)
