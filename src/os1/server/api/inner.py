"""os1's inner life for the web app: its mood now (``/v1/status``) and its journal
(``/v1/journal``: list, edit or forget an entry). Every call opens only the caller's own store."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel

from os1.errors import InputError
from os1.inner.life import InnerLife
from os1.server.api.schemas import EntryEdit
from os1.server.auth import ApiError, Caller, caller, site_of

router = APIRouter(tags=["inner life"])
Who = Annotated[Caller, Depends(caller)]
EntryId = Annotated[int, Path(ge=1, le=2**62)]


class Status(BaseModel):
    mood: str  # the mood's word: calm, glad, delighted, curious, concerned, worried
    cause: str
    valence: float
    arousal: float
    since: float | None  # when it last moved (Unix time), None if it never did
    source_memory: int | None
    what: str = "a small state moved by what you say and fading back to calm over hours, not a feeling"


class Entry(BaseModel):
    id: int
    text: str
    created_at: float
    session_id: int | None
    how: str | None  # rules or model
    sources: list[int]


class Journal(BaseModel):
    items: list[Entry]


@router.get("/v1/status", response_model=Status)
async def status(who: Who, request: Request) -> Status:
    """os1's mood now, with its cause."""
    async with site_of(request).spaces.use(who.user_id) as space:
        mood = await InnerLife(space.store).mood()
    return Status(mood=mood.label, cause=mood.cause, valence=round(mood.valence, 3),
                  arousal=round(mood.arousal, 3), since=mood.at or None, source_memory=mood.source_id)


@router.get("/v1/journal", response_model=Journal)
async def journal(who: Who, request: Request, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> Journal:
    """The journal, newest first."""
    async with site_of(request).spaces.use(who.user_id) as space:
        entries = await (await InnerLife(space.store).journal()).entries(limit)
    return Journal(items=[_entry(m.id, m.item.text, m.item.created_at, m.data) for m in entries])


@router.patch("/v1/journal/{entry_id}", response_model=Entry)
async def edit(entry_id: EntryId, body: EntryEdit, who: Who, request: Request) -> Entry:
    """Correct an entry's words (its sources and conversation stay)."""
    async with site_of(request).spaces.use(who.user_id) as space:
        journal = await InnerLife(space.store).journal()
        try:
            await journal.edit(entry_id, body.text)
            moment = await journal.entry(entry_id)
        except InputError as exc:
            raise ApiError(404, str(exc)) from None
    return _entry(moment.id, moment.item.text, moment.item.created_at, moment.data)


@router.delete("/v1/journal/{entry_id}", status_code=204)
async def forget(entry_id: EntryId, who: Who, request: Request) -> Response:
    """Forget one entry for good."""
    async with site_of(request).spaces.use(who.user_id) as space:
        try:
            await (await InnerLife(space.store).journal()).forget(entry_id)
        except InputError as exc:
            raise ApiError(404, str(exc)) from None
    return Response(status_code=204)


def _entry(entry_id: int, text: str, created_at: float, data: dict[str, Any]) -> Entry:
    sources = [s for s in data.get("sources", []) if isinstance(s, int)]
    session = data.get("session_id")
    return Entry(id=entry_id, text=text, created_at=created_at,
                 session_id=session if isinstance(session, int) else None,
                 how=str(data.get("how")) if data.get("how") else None, sources=sources)
