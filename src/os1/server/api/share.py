"""Showing os1 something from the web app or any client: a photograph or camera frame, a post or
page, or music to listen to together, sent as the request's body (its type says which). os1
looks, reads or listens, says something about it, and keeps the moment with its pictures; the
pictures are served back for the memories page."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from os1.errors import Os1Error
from os1.server.api.schemas import SharedReply
from os1.server.auth import ApiError, Caller, caller, limit, site_of, talker
from os1.share.sharing import Sharing
from os1.shared import Shared
from os1.vision.images import MAX_IMAGE_BYTES, check_image

router = APIRouter(tags=["share"])
Talker = Annotated[Caller, Depends(talker)]
Who = Annotated[Caller, Depends(caller)]
POST_TYPES = ("text/markdown", "text/plain", "text/html", "text/x-markdown")
SOUND_SUFFIX = {"audio/mpeg": ".mp3", "audio/ogg": ".ogg", "audio/wav": ".wav", "audio/x-wav": ".wav",
                "audio/flac": ".flac", "audio/mp4": ".m4a", "audio/webm": ".webm"}


@router.post("/v1/share", response_model=SharedReply)
async def share(who: Talker, request: Request,
                note: Annotated[str | None, Query(max_length=2000)] = None,
                name: Annotated[str, Query(max_length=200)] = "",
                camera: bool = False) -> SharedReply:
    """Share the body: an ``image/*`` is looked at (``camera``: a frame the camera just took;
    ``note``: what the user said about it), Markdown or HTML is read as a post, ``audio/*`` is
    listened to together."""
    site = site_of(request)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if not body:
        raise ApiError(400, "nothing to share: the upload is empty")
    if len(body) > MAX_IMAGE_BYTES:
        raise ApiError(413, f"a shared file is at most {MAX_IMAGE_BYTES:,} bytes")
    if not (kind.startswith("image/") or kind in POST_TYPES or kind in SOUND_SUFFIX):
        raise ApiError(415, "share a picture (image/*), a post (Markdown or HTML) or music (audio/*)")
    await limit(site, f"turn:{who.user_id}", site.settings.server.turns_per_minute, "messages")
    async with site.spaces.use(who.user_id) as space, space.turn:
        runtime = space.runtime
        vision = runtime.settings.llm.models[runtime.model_name].vision
        sharing = Sharing(space.store, await runtime.persona(), runtime.model, vision=vision)
        try:
            shared = await _share(sharing, kind, body, name=name, note=note, camera=camera)
        except Os1Error as exc:
            raise ApiError(400, str(exc)) from None
    return SharedReply(**shared.to_dict())


async def _share(sharing: Sharing, kind: str, body: bytes, *, name: str, note: str | None,
                 camera: bool) -> Shared:
    if kind.startswith("image/"):
        image = await asyncio.to_thread(check_image, body, name or "the picture")
        return await sharing.look(image, note=(note or "").strip() or None, source=name, camera=camera)
    if kind in SOUND_SUFFIX:
        with tempfile.TemporaryDirectory(prefix="os1-share-") as folder:
            path = Path(folder) / f"shared{SOUND_SUFFIX[kind]}"
            await asyncio.to_thread(path.write_bytes, body)
            return await sharing.listen(path, source=name or None)
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiError(400, "the post is not UTF-8 text") from None
    return await sharing.share_pasted(text)


@router.get("/v1/images/{digest}")
async def image(digest: str, who: Who, request: Request) -> Response:
    """A picture of one of the caller's moments, by its content hash."""
    if not digest.isalnum() or len(digest) > 128:
        raise ApiError(404, "no such picture")
    async with site_of(request).spaces.use(who.user_id) as space:
        found = await space.store.image(digest)
    if found is None:
        raise ApiError(404, "no such picture")
    mime, data = found
    return Response(data, media_type=mime, headers={"Cache-Control": "private, max-age=86400",
                                                     "X-Content-Type-Options": "nosniff"})
