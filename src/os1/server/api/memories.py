"""The memories page: list, search, show with history and sources, edit, keep private, forget,
export, import.
Every call opens only the caller's own store, so an id from another user finds nothing."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from os1.errors import InputError
from os1.memory.base import MemoryItem
from os1.memory.portability import export_lines, import_export, parse_export
from os1.memory.roles import Keepsakes
from os1.server.api.schemas import (
    ForgetMany,
    Forgotten,
    Imported,
    Memories,
    Memory,
    MemoryDetail,
    MemoryEdit,
)
from os1.server.auth import ApiError, Caller, caller, site_of

router = APIRouter(prefix="/v1/memories", tags=["memories"])
Who = Annotated[Caller, Depends(caller)]
MemoryId = Annotated[int, Path(ge=1, le=2**62)]
MAX_IMPORT = 50_000_000


@router.get("", response_model=Memories)
async def list_memories(who: Who, request: Request, q: Annotated[str | None, Query(max_length=1000)] = None,
                        kind: Literal["utterance", "fact"] | None = None,
                        limit: Annotated[int, Query(ge=1, le=500)] = 50,
                        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> Memories:
    """Newest first; with ``q``, the best matches for it instead."""
    async with site_of(request).spaces.use(who.user_id) as space:
        if q and q.strip():
            hits = await space.store.search(q, k=limit, kinds=[kind] if kind else None)
            items = [h.item for h in hits]
        else:
            items = await space.store.list_memories(kind=kind, limit=limit, offset=offset)
        pictures = await _pictures(space.store, items)
        pieces = await _pieces(space.store, items)
    return Memories(items=[Memory.of(i, pictures.get(i.id, ()), piece=i.id in pieces) for i in items])


async def _pictures(store: Keepsakes, items: Sequence[MemoryItem]) -> dict[int, tuple[str, ...]]:
    """The pictures of the shared moments among ``items``, by memory id."""
    found: dict[int, tuple[str, ...]] = {}
    for item in items:
        if item.provenance == "shared" and (moment := await store.moment(item.id)) is not None:
            found[item.id] = moment.images
    return found


async def _pieces(store: Keepsakes, items: Sequence[MemoryItem]) -> set[int]:
    """The ids of the pieces os1 composed among ``items`` (their audio at /v1/music/{id}/audio)."""
    found: set[int] = set()
    for item in items:
        if item.provenance == "assistant" and item.kind == "fact":
            moment = await store.moment(item.id)
            if moment is not None and moment.kind == "piece":
                found.add(item.id)
    return found


@router.get("/export")
async def export(who: Who, request: Request) -> Response:
    """Everything, in the open os1-memory format (JSON lines; docs/memory-format.md)."""
    async with site_of(request).spaces.use(who.user_id) as space:
        lines = await export_lines(space.store, who.account.username)
    body = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    return Response(body, media_type="application/x-ndjson",
                    headers={"Content-Disposition": 'attachment; filename="os1-memories.jsonl"'})


@router.post("/import", response_model=Imported)
async def import_(who: Who, request: Request) -> Imported:
    """Add the memories of an export (its JSON lines as the body); nothing is added if any line
    is malformed."""
    body = await request.body()
    if len(body) > MAX_IMPORT:
        raise ApiError(413, f"an import is at most {MAX_IMPORT:,} bytes")
    try:
        header, items = parse_export(body.decode("utf-8"), "the upload")
    except UnicodeDecodeError:
        raise ApiError(400, "the upload is not UTF-8 text") from None
    except InputError as exc:
        raise ApiError(400, str(exc)) from None
    async with site_of(request).spaces.use(who.user_id) as space:
        added = await import_export(space.store, header, items)
    return Imported(imported=added)


@router.post("/forget", response_model=Forgotten)
async def forget_all(body: ForgetMany, who: Who, request: Request) -> Forgotten:
    """Forget several memories for good, in one transaction (the list ``/saying`` offers), then
    compact the store; ids that are not there are passed over."""
    async with site_of(request).spaces.use(who.user_id) as space:
        gone = await space.store.forget_all(body.ids)
        if gone:
            await space.store.compact()
    return Forgotten(forgotten=gone)


@router.get("/{memory_id}/saying", response_model=Memories)
async def saying(memory_id: MemoryId, who: Who, request: Request) -> Memories:
    """The memory and everything else that says it (its source sentence, replies that repeat
    it, other facts with its value): what forgetting the thing, not the row, would forget."""
    async with site_of(request).spaces.use(who.user_id) as space:
        items = await space.store.saying(memory_id)
    if not items:
        raise ApiError(404, f"no memory {memory_id}")
    return Memories(items=[Memory.of(i) for i in items])


@router.get("/{memory_id}", response_model=MemoryDetail)
async def show(memory_id: MemoryId, who: Who, request: Request) -> MemoryDetail:
    async with site_of(request).spaces.use(who.user_id) as space:
        item = await space.store.get(memory_id)
        if item is None:
            raise ApiError(404, f"no memory {memory_id}")
        related = await space.store.related(memory_id)
    return MemoryDetail(item=Memory.of(item),
                        related={k: [Memory.of(i) for i in v] for k, v in related.items()})


@router.patch("/{memory_id}", response_model=Memory)
async def edit(memory_id: MemoryId, body: MemoryEdit, who: Who, request: Request) -> Memory:
    """New words for a memory, and/or ``private``: kept between the user and os1 with what says
    the same thing (a fact's sentence and its other facts), or shared again."""
    if body.text is None and body.private is None:
        raise ApiError(400, "nothing to change: send text or private")
    if body.text is not None and (not body.text.strip() or "\x00" in body.text):
        raise ApiError(400, "the new text is empty or not text")
    async with site_of(request).spaces.use(who.user_id) as space:
        item = await space.store.get(memory_id)
        if item is not None and body.text is not None:
            item = await space.store.edit(memory_id, body.text.strip())
        if item is not None and body.private is not None:
            await space.store.keep_private([memory_id], private=body.private)
            item = await space.store.get(memory_id)
    if item is None:
        raise ApiError(404, f"no memory {memory_id}")
    return Memory.of(item)


@router.delete("/{memory_id}", status_code=204)
async def forget(memory_id: MemoryId, who: Who, request: Request) -> Response:
    """Forget for good: the memory, its vector and word index entry, what was drawn from it;
    then the store is compacted so the text is gone from its files too."""
    async with site_of(request).spaces.use(who.user_id) as space:
        if not await space.store.forget(memory_id):
            raise ApiError(404, f"no memory {memory_id}")
        await space.store.compact()
    return Response(status_code=204)
