"""The letters page: draft a letter with every detail checked, keep it, edit it (each edit a new
version), proofread it change by change, list, search, forget, download it (a handwritten PDF,
text or Markdown) or all of them at once, learn the user's voice from letters they wrote, make
the book, and mail it to a publisher: shown whole first, sent only on the user's yes.

Every route opens only the caller's own letter studio (``os1.letters``, the same one ``os1
letters`` uses), so a letter id from another account finds nothing. A client's letter draws only
on its own brief: the studio recalls no memory for it."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.message import EmailMessage
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field

from os1.errors import ConfigError, InputError, ToolFailed
from os1.files import write_private
from os1.letters import book as making
from os1.letters.archive import archive, archive_name
from os1.letters.brief import Brief, assemble, parse_brief
from os1.letters.importing import read_upload
from os1.letters.keeping import Letter
from os1.letters.publishing import book_mail, book_preview
from os1.letters.recall import user_name
from os1.letters.rendering import render
from os1.letters.studio import Studio
from os1.proofing import apply, proofread
from os1.server.auth import ApiError, Caller, caller, limit, site_of
from os1.server.spaces import Space

router = APIRouter(prefix="/v1/letters", tags=["letters"])
Who = Annotated[Caller, Depends(caller)]
LetterId = Annotated[int, Path(ge=1, le=2**62)]
Line = Annotated[str, Field(max_length=200)]
BOOK_FILES = {"book.pdf": "application/pdf", "book.epub": "application/epub+zip"}
MEDIA = {"pdf": "application/pdf", "txt": "text/plain; charset=utf-8", "md": "text/markdown; charset=utf-8"}


class BriefIn(BaseModel):
    """What a letter is to be; ``brief`` is a client's brief as text (``To:``, ``Occasion:``
    lines, then the names, years and memories to mention, one a line)."""

    to: Line = ""
    sender: Line = Field("", alias="from")
    occasion: Line = ""
    tone: Line = ""
    client: Line | None = None
    brief: Annotated[str, Field(max_length=20_000)] | None = None


class Keep(BriefIn):
    text: Annotated[str, Field(min_length=1, max_length=100_000)]
    edited: bool = False  # the user changed the draft before keeping it
    keep_flagged: bool = False  # kept even with details not grounded, on the user's word


class Recheck(BriefIn):
    text: Annotated[str, Field(min_length=1, max_length=100_000)]


class NewVersion(BaseModel):
    text: Annotated[str, Field(min_length=1, max_length=100_000)]


class Marks(BaseModel):
    favourite: bool | None = None
    private: bool | None = None


class Accept(BaseModel):
    version: int  # the version the changes were suggested for
    accepted: list[Annotated[int, Field(ge=0)]] = Field(max_length=10_000)


class BookIn(BaseModel):
    size: Annotated[int, Field(ge=1, le=1000)] = 20
    favourite: Annotated[float, Field(ge=0, le=100)] = 3.0
    variety: Annotated[float, Field(ge=0, le=100)] = 1.0
    reading: Annotated[float, Field(ge=0, le=100)] = 2.0
    min_words: Annotated[int, Field(ge=0, le=100_000)] = 60
    max_words: Annotated[int, Field(ge=1, le=100_000)] = 700
    client: Line | None = None
    include: list[Annotated[int, Field(ge=1)]] = Field(default=[], max_length=1000)
    exclude: list[Annotated[int, Field(ge=1)]] = Field(default=[], max_length=1000)
    title: Line = "Letters"
    subtitle: Line = "A selection"
    author: Line | None = None
    dry_run: bool = False

    def criteria(self) -> making.Criteria:
        return making.Criteria(size=self.size, favourite=self.favourite, variety=self.variety,
                               min_words=self.min_words, max_words=self.max_words,
                               client=self.client or None, include=tuple(self.include),
                               exclude=tuple(self.exclude), reading=self.reading)


class BookMail(BaseModel):
    to: Annotated[str, Field(min_length=3, max_length=320)]
    subject: Line = "A book of letters"
    body: Annotated[str, Field(max_length=20_000)] = (
        "Hello,\n\nAttached is a book of letters, as PDF and EPUB. I hope you enjoy reading it.")


class Send(BookMail):
    shown: Annotated[str, Field(min_length=64, max_length=64)]  # the digest of what was shown


@asynccontextmanager
async def studio_of(request: Request, who: Caller) -> AsyncIterator[tuple[Space, Studio]]:
    """The caller's own space and letter studio, closed after the request."""
    async with site_of(request).spaces.use(who.user_id) as space:
        studio = space.runtime.letter_studio()
        try:
            yield space, studio
        finally:
            await studio.letters.close()


async def _brief(body: BriefIn, studio: Studio) -> Brief:
    fields: dict[str, Any] = parse_brief(body.brief) if body.brief is not None else {"notes": []}
    return assemble(fields, to=body.to, sender=body.sender, occasion=body.occasion, tone=body.tone,
                    client=body.client or None, default_sender=await user_name(studio.memory))


def letter_json(letter: Letter) -> dict[str, Any]:
    """A letter whole: its brief, marks and every version with the check of its details."""
    return {**letter.to_dict(),
            "versions": [{"n": v.n, "note": v.note, "text": v.text, "at": v.created_at,
                          "grounding": v.grounding.to_dict()} for v in letter.versions]}


def summary(letter: Letter) -> dict[str, Any]:
    first = " ".join(letter.text.split())
    return {"id": letter.id, "when": letter.when, "brief": letter.brief.to_dict(),
            "private": letter.private, "favourite": letter.favourite, "versions": len(letter.versions),
            "flagged": letter.latest.grounding.to_dict()["flagged"],
            "excerpt": first[:160] + ("…" if len(first) > 160 else "")}


async def _must(studio: Studio, letter_id: int) -> Letter:
    letter = await studio.letters.get(letter_id)
    if letter is None:
        raise ApiError(404, f"no letter {letter_id}")
    return letter


@router.get("")
async def list_letters(who: Who, request: Request, q: Annotated[str | None, Query(max_length=1000)] = None,
                       client: Annotated[str | None, Query(max_length=200)] = None,
                       limit_: Annotated[int, Query(alias="limit", ge=1, le=1000)] = 100) -> dict[str, Any]:
    """Kept letters, newest first; ``q`` keeps those holding every word of it."""
    async with studio_of(request, who) as (_, studio):
        found = await studio.letters.find(query=q or None, client=client or None, limit=limit_)
    return {"letters": [summary(x) for x in found]}


@router.post("/draft")
async def draft(body: BriefIn, who: Who, request: Request) -> dict[str, Any]:
    """A draft, not kept: its text, each detail with where it was found (or flagged), and the
    memories it drew on."""
    site = site_of(request)
    await limit(site, f"letter:{who.user_id}", site.settings.server.turns_per_minute, "letters")
    async with studio_of(request, who) as (space, studio):
        brief = await _brief(body, studio)
        async with space.turn:  # the model writes one thing at a time for a person
            made = await studio.draft(brief)
    return {"brief": brief.to_dict(), "text": made.text, "grounding": made.grounding.to_dict(),
            "memories": [{"ref": m.ref, "text": m.text} for m in made.memories], "by_model": made.by_model}


@router.post("/check")
async def check(body: Recheck, who: Who, request: Request) -> dict[str, Any]:
    """A draft's text (edited, not yet kept) checked again."""
    async with studio_of(request, who) as (_, studio):
        return {"grounding": (await studio.recheck(await _brief(body, studio), body.text)).to_dict()}


@router.post("", status_code=201)
async def keep(body: Keep, who: Who, request: Request) -> dict[str, Any]:
    """Keep a draft, checked again; one with details not grounded only on ``keep_flagged``."""
    async with studio_of(request, who) as (_, studio):
        brief = await _brief(body, studio)
        flagged = (await studio.recheck(brief, body.text)).flagged
        if flagged and not body.keep_flagged:
            raise ApiError(409, "not kept: not grounded in the brief or a memory: "
                                + ", ".join(d.text for d in flagged))
        letter = await studio.keep_text(brief, body.text, "drafted, edited" if body.edited else "drafted")
    return letter_json(letter)


@router.get("/voice")
async def voice(who: Who, request: Request) -> dict[str, Any]:
    """The user's voice as learnt from the letters they imported."""
    async with studio_of(request, who) as (_, studio):
        profile = await studio.voice()
    return {"profile": profile.to_dict(), "lines": profile.prompt_lines()}


@router.post("/import")
async def import_letter(who: Who, request: Request,
                        name: Annotated[str, Query(min_length=1, max_length=200)]) -> dict[str, Any]:
    """Learn the user's voice from one letter they wrote: the file as the body, ``name`` its
    file name (.txt, .md, .docx, .eml). A file that cannot be read keeps nothing."""
    try:
        read = read_upload(FilePath(name).name, await request.body())
    except InputError as exc:
        raise ApiError(400, str(exc)) from None
    async with studio_of(request, who) as (_, studio):
        added = await studio.learn_from([read])
        profile = await studio.voice()
    return {"imported": added, "profile": profile.to_dict(), "lines": profile.prompt_lines()}


@router.get("/export")
async def export_all(who: Who, request: Request,
                     client: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    """Every letter (or one client's) as one ZIP: letters.json, and each as Markdown."""
    async with studio_of(request, who) as (_, studio):
        found = await studio.letters.find(client=client or None, limit=10**9)
    data = await asyncio.to_thread(archive, found, client or None)
    return Response(data, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{archive_name(client)}"'})


def _book_folder(studio: Studio) -> FilePath:
    return studio.letters.folder / "book"


def _unbind(folder: FilePath, letter_id: int) -> None:
    """Remove the book in ``folder`` if it holds the letter (forgotten with its files)."""
    try:
        held = (folder / "letters.txt").read_text().split()
    except FileNotFoundError:
        return
    if str(letter_id) in held:
        for name in [*BOOK_FILES, "letters.txt"]:
            (folder / name).unlink(missing_ok=True)


@router.post("/book")
async def make_book(body: BookIn, who: Who, request: Request) -> dict[str, Any]:
    """Choose the letters by the criteria (stated back), write the foreword, typeset the book."""
    criteria = body.criteria()
    async with studio_of(request, who) as (space, studio):
        runtime = space.runtime
        capable = runtime.settings.llm.models[runtime.model_name].is_capable
        titles = making.Titles(body.title, body.subtitle, body.author or None)
        folder = None if body.dry_run else _book_folder(studio)
        async with space.turn:
            chosen, paths = await making.make(studio, criteria, folder, titles, capable=capable)
    if paths:  # which letters the book holds, so forgetting one of them removes the book too
        await asyncio.to_thread(write_private, _book_folder(studio) / "letters.txt",
                                "".join(f"{x.id}\n" for x in chosen.letters))
    return {"criteria": criteria.describe(),
            "letters": [{"id": x.id, "to": x.brief.to, "occasion": x.brief.occasion,
                         "reason": chosen.reasons.get(x.id, "")} for x in chosen.letters],
            "files": [p.name for p in paths]}


@router.get("/book/{name}")
async def book_file(name: Literal["book.pdf", "book.epub"], who: Who, request: Request) -> Response:
    async with studio_of(request, who) as (_, studio):
        path = _book_folder(studio) / name
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except FileNotFoundError:
        raise ApiError(404, "no book yet: make one first") from None
    return Response(data, media_type=BOOK_FILES[name],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _shown(msg: EmailMessage) -> tuple[str, str]:
    """The mail as the user sees it, and a digest of that and of every attachment's bytes: the
    send is refused unless the mail it would send is the one shown."""
    preview = book_preview(msg)
    digest = hashlib.sha256(preview.encode())
    for part in msg.iter_attachments():
        data = part.get_payload(decode=True)
        digest.update(hashlib.sha256(data if isinstance(data, bytes) else b"").digest())
    return preview, digest.hexdigest()


def _book_mail(space: Space, studio: Studio, body: BookMail) -> EmailMessage:
    try:
        return book_mail(space.runtime.settings.mail, _book_folder(studio), body.to.strip(), body.subject,
                         body.body)
    except ConfigError as exc:
        raise ApiError(409, str(exc).splitlines()[0]) from None


@router.post("/book/mail")
async def show_mail(body: BookMail, who: Who, request: Request) -> dict[str, Any]:
    """The mail to the publisher, whole, with the book attached; nothing is sent."""
    async with studio_of(request, who) as (space, studio):
        preview, digest = _shown(await asyncio.to_thread(_book_mail, space, studio, body))
    return {"preview": preview, "shown": digest}


@router.post("/book/send")
async def send_book(body: Send, who: Who, request: Request) -> dict[str, Any]:
    """Send the mail the user was shown and said yes to; logged with the user's actions."""
    from os1.mail.index import MailIndex
    from os1.mail.service import MailService, index_path
    from os1.runtime import open_guard

    async with studio_of(request, who) as (space, studio):
        msg = await asyncio.to_thread(_book_mail, space, studio, body)
        if _shown(msg)[1] != body.shown:
            raise ApiError(409, "the mail or the book changed since it was shown: look at it again")
        settings = space.runtime.settings
        service = MailService(settings.mail, MailIndex(index_path(settings.home, settings.user)))
        guard = await asyncio.to_thread(open_guard, settings, space.runtime.ledger_rows)
        try:
            result = await guard.run_commanded("letters_send_book", {"to": str(msg["To"]),
                                                                     "subject": str(msg["Subject"])},
                                               lambda: service.send(msg))
        except ToolFailed as exc:
            raise ApiError(502, str(exc).splitlines()[0]) from None
        finally:
            await guard.aclose()
            await service.close()
    return {"sent": result}


@router.get("/{letter_id}")
async def show(letter_id: LetterId, who: Who, request: Request) -> dict[str, Any]:
    async with studio_of(request, who) as (_, studio):
        return letter_json(await _must(studio, letter_id))


@router.post("/{letter_id}/versions", status_code=201)
async def revise(letter_id: LetterId, body: NewVersion, who: Who, request: Request) -> dict[str, Any]:
    """The user's edit: a new version, checked again; every earlier version stays."""
    if not body.text.strip() or "\x00" in body.text:
        raise ApiError(400, "the new text is empty or not text")
    async with studio_of(request, who) as (_, studio):
        letter = await _must(studio, letter_id)
        if body.text == letter.text:
            return letter_json(letter)
        return letter_json(await studio.revise(letter, body.text, "edited"))


@router.patch("/{letter_id}")
async def mark(letter_id: LetterId, body: Marks, who: Who, request: Request) -> dict[str, Any]:
    """A favourite (for the book), or private (kept out of it) or not."""
    async with studio_of(request, who) as (_, studio):
        await _must(studio, letter_id)
        return letter_json(await studio.letters.mark(letter_id, favourite=body.favourite,
                                                     private=body.private))


def _proofread(letter: Letter) -> Any:
    names = [d.text for d in letter.latest.grounding.details if d.kind in ("name", "place")]
    return proofread(letter.text, skip=[w for n in names for w in n.split()])


@router.get("/{letter_id}/proofread")
async def suggest(letter_id: LetterId, who: Who, request: Request) -> dict[str, Any]:
    """Each change os1 suggests in the latest version, with its reason; nothing is changed."""
    async with studio_of(request, who) as (_, studio):
        letter = await _must(studio, letter_id)
    result = await asyncio.to_thread(_proofread, letter)
    return {"version": letter.latest.n, "changes": [c.to_dict() for c in result.changes],
            "notes": list(result.notes)}


@router.post("/{letter_id}/proofread")
async def accept(letter_id: LetterId, body: Accept, who: Who, request: Request) -> dict[str, Any]:
    """Make the accepted changes (by their place in the list): a new version."""
    async with studio_of(request, who) as (_, studio):
        letter = await _must(studio, letter_id)
        if letter.latest.n != body.version:
            raise ApiError(409, "the letter changed since it was proofread: proofread it again")
        changes = (await asyncio.to_thread(_proofread, letter)).changes
        if any(i >= len(changes) for i in body.accepted):
            raise ApiError(400, f"there are only {len(changes)} suggested changes")
        chosen = [changes[i] for i in sorted(set(body.accepted))]
        if not chosen:
            return letter_json(letter)
        return letter_json(await studio.revise(letter, apply(letter.text, chosen),
                                               f"proofread: {len(chosen)} change(s)"))


@router.get("/{letter_id}/file")
async def download(letter_id: LetterId, who: Who, request: Request,
                   fmt: Annotated[Literal["pdf", "txt", "md"], Query(alias="format")] = "pdf") -> Response:
    """The latest version as a handwritten-looking PDF, plain text or Markdown."""
    async with studio_of(request, who) as (_, studio):
        letter = await _must(studio, letter_id)
    data = await asyncio.to_thread(render, letter, fmt)
    return Response(data, media_type=MEDIA[fmt], headers={
        "Content-Disposition": f'attachment; filename="letter-{letter.id}-v{letter.latest.n}.{fmt}"'})


@router.delete("/{letter_id}", status_code=204)
async def forget(letter_id: LetterId, who: Who, request: Request) -> Response:
    """Forget a letter for good: every version and every file made from it."""
    async with studio_of(request, who) as (_, studio):
        if not await studio.letters.forget(letter_id):
            raise ApiError(404, f"no letter {letter_id}")
        await asyncio.to_thread(_unbind, _book_folder(studio), letter_id)
    return Response(status_code=204)
