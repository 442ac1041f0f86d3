"""The goodbye for an account (``/v1/goodbye``; ``os1.server.leaving``): begin (the letter and
the export, verified), download the export, confirm with ``goodbye``, erase with ``erase``.
Only the person's own session may do any of it, never an API token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from os1.errors import InputError
from os1.server import leaving
from os1.server.auth import CSRF_COOKIE, SESSION_COOKIE, ApiError, Caller, owner, site_of

router = APIRouter(prefix="/v1/goodbye", tags=["goodbye"])
Owner = Annotated[Caller, Depends(owner)]


class Goodbye(BaseModel):
    letter: str
    counts: dict[str, Any]  # memories, moments, conversations, letters, images, persona_versions
    verified: bool
    problems: list[str]
    files: int  # in the goodbye folder
    export_bytes: int  # of the zip
    export_sha256: str
    downloaded: bool
    confirmed: bool
    next: str  # what the person does next: download, goodbye, erase, or begin again


class Word(BaseModel):
    word: str = Field(max_length=40)


def _shown(found: leaving.Stage) -> Goodbye:
    step = ("begin" if not found.verified else "download" if not found.downloaded
            else "goodbye" if not found.confirmed else "erase")
    return Goodbye(letter=found.letter, counts=found.counts, verified=found.verified,
                   problems=found.problems, files=found.files, export_bytes=found.export_bytes,
                   export_sha256=found.export_sha256, downloaded=found.downloaded,
                   confirmed=found.confirmed, next=step)


@router.get("", response_model=Goodbye)
async def where(who: Owner, request: Request) -> Goodbye:
    """The goodbye begun, if any (404: none)."""
    found = leaving.stage(site_of(request), who.user_id)
    if found is None:
        raise ApiError(404, "no goodbye has begun")
    return _shown(found)


@router.post("", response_model=Goodbye, status_code=201)
async def begin(who: Owner, request: Request) -> Goodbye:
    """The farewell letter and every export, written and verified on the server."""
    return _shown(await leaving.begin(site_of(request), who.user_id))


@router.get("/export")
async def export(who: Owner, request: Request) -> FileResponse:
    """The goodbye folder as a zip: the letter, memory.jsonl, archive/, memory-folder/, manifest."""
    try:
        path = leaving.download(site_of(request), who.user_id)
    except InputError as exc:
        raise ApiError(409, str(exc)) from None
    return FileResponse(path, media_type="application/zip", filename=leaving.ZIP)


@router.post("/confirm", response_model=Goodbye)
async def confirm(body: Word, who: Owner, request: Request) -> Goodbye:
    """The first confirmation (``goodbye``), once the export was downloaded."""
    try:
        return _shown(leaving.confirm(site_of(request), who.user_id, body.word))
    except InputError as exc:
        raise ApiError(409, str(exc)) from None


@router.post("/erase")
async def erase(body: Word, who: Owner, request: Request, response: Response) -> dict[str, Any]:
    """The second confirmation (``erase``): everything of the person erased; the proof."""
    try:
        proof = await leaving.finish(site_of(request), who.user_id, who.account.username, body.word)
    except InputError as exc:
        raise ApiError(409, str(exc)) from None
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    return proof.to_dict()


@router.delete("", status_code=204)
async def cancel(who: Owner, request: Request) -> Response:
    """Keep everything: the goodbye folder on the server is erased."""
    await leaving.cancel(site_of(request), who.user_id)
    return Response(status_code=204)
