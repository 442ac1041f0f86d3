"""os1 as an A2A agent while it serves (``agents.a2a_card``, off by default): its Agent Card at
``/.well-known/agent-card.json`` and the endpoint at ``/a2a`` (``os1.agents.a2a_serve``).

Single mode only: the card is the one user's OS, answering under its own name from nothing but
the conversation (``os1.agents.a2a_reply``), so another agent reaches none of the user's data and
cannot make os1 act. Its words are spotlighted by the guard's own marker before a model sees them.
Requests must come to a loopback host name, as every single-mode request must.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from os1.access import is_loopback
from os1.agent.persona import Persona
from os1.agents.a2a_reply import PersonaReplier, Self
from os1.agents.a2a_serve import RPC_PATH, a2a_routes, agent_card
from os1.config import Settings
from os1.safety.spotlight import Spotlight

WELL_KNOWN = "/.well-known/"


def card_routes(settings: Settings, state: Any) -> list[Any]:
    """The card and endpoint routes for ``settings``; ``state`` is the app's state, whose
    ``site`` opens with the app."""
    server = settings.server
    base = settings.agents.a2a_url or f"http://{server.host}:{server.port}"

    @asynccontextmanager
    async def open_self() -> AsyncIterator[Self]:
        async with state.site.spaces.use(settings.user) as space:
            name = Persona.from_profile(await space.store.profile()).name
            yield Self(space.runtime.model, space.store, name)

    card = agent_card(settings.agents.a2a_name or "os1", base,
                      "An OS: a personal AI companion. Talk with it; it answers for itself.")
    return a2a_routes(card, PersonaReplier(open_self, Spotlight().show, max_tokens=settings.llm.max_tokens))


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
