"""The pieces os1 composed, to listen to in the web app: a piece's audio (WAV) and its score (MIDI),
read from the person's own music folder. Every call opens only the caller's own store, so another
account's piece is not found (404), whatever its id."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import FileResponse

from os1.memory.moments import named_files
from os1.server.auth import ApiError, Caller, caller, site_of

router = APIRouter(prefix="/v1/music", tags=["music"])
Who = Annotated[Caller, Depends(caller)]
PieceId = Annotated[int, Path(ge=1, le=2**62)]
# what each of a piece's files is served as, and the field of its data that names it
FILES = {"audio": ("wav", "audio/wav"), "midi": ("midi", "audio/midi")}


@router.get("/{piece_id}/{what}")
async def piece_file(piece_id: PieceId, what: Literal["audio", "midi"], who: Who,
                     request: Request) -> FileResponse:
    """A composed piece's ``audio`` (WAV) or ``midi``, for its owner only."""
    field, mime = FILES[what]
    async with site_of(request).spaces.use(who.user_id) as space:
        store = space.store
        moment = await store.moment(piece_id)
        piece = moment if moment is not None and moment.kind == "piece" else None
        path = named_files(piece.data, store.files_dir).get(field) if piece else None
    if path is None or not path.is_file():
        raise ApiError(404, "no such piece")
    return FileResponse(path, media_type=mime, filename=f"os1-piece-{piece_id}{path.suffix}",
                        content_disposition_type="inline",
                        headers={"Cache-Control": "private, max-age=86400"})
