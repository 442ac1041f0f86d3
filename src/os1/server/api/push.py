"""Web Push: the site's public key, and the user's browsers that get proposals with the tab
closed (os1.server.push)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from os1.server.api.schemas import PushEndpoint, PushState, PushSubscription
from os1.server.auth import ApiError, Caller, caller, site_of
from os1.server.push import Push
from os1.server.reaching import wake
from os1.server.site import Site

router = APIRouter(prefix="/v1/push", tags=["you"])
Who = Annotated[Caller, Depends(caller)]


def _push(site: Site) -> Push:
    if site.push is None:
        raise ApiError(503, "web push is not ready")
    return site.push


@router.get("", response_model=PushState)
async def state(who: Who, request: Request) -> PushState:
    push = _push(site_of(request))
    return PushState(public_key=push.public_key,
                     endpoints=[s.endpoint for s in await push.subscriptions(who.user_id)])


@router.post("/subscriptions", response_model=PushState, status_code=201)
async def subscribe(body: PushSubscription, who: Who, request: Request) -> PushState:
    """Keep this browser's subscription; proposals come to it from now on, tab open or not."""
    site = site_of(request)
    await _push(site).subscribe(who.user_id, body.endpoint, body.keys.p256dh, body.keys.auth)
    await wake(site, who.user_id)  # what is due now reaches the new browser too
    return await state(who, request)


@router.delete("/subscriptions", response_model=PushState)
async def unsubscribe(body: PushEndpoint, who: Who, request: Request) -> PushState:
    if not await _push(site_of(request)).unsubscribe(who.user_id, body.endpoint):
        raise ApiError(404, "this browser is not subscribed")
    return await state(who, request)
