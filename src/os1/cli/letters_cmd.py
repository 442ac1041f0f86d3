"""``os1 letters``: write a letter in the user's voice with every detail checked, keep it with
every version, learn the voice from letters the user wrote, proofread, export, make a book."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click
from rich.markup import escape
from rich.table import Table

from os1.asking.answers import Asking, Drafted
from os1.cli.io import CORAL, ROW_ID, confirm, console, err_console
from os1.cli.state import CliState
from os1.errors import InputError, Os1Error
from os1.files import private_dir, write_private
from os1.letters import book as making
from os1.letters.asking import LetterAsk
from os1.letters.brief import Brief, assemble, parse_brief
from os1.letters.grounding import Grounding
from os1.letters.keeping import Letter
from os1.letters.studio import Draft, Studio
from os1.mail.service import MailService
from os1.runtime import Runtime

T = TypeVar("T")
AS_JSON = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")


def run(state: CliState, work: Callable[[Studio], Awaitable[T]]) -> T:
    """Open the user's stores (the model only if a letter is drafted), do ``work``, close them."""
    async def with_studio() -> T:
        runtime = await Runtime.open(state.settings, state.model_name)
        studio = runtime.letter_studio()
        try:
            return await work(studio)
        finally:
            await studio.letters.close()
            await runtime.close()

    return asyncio.run(with_studio())


def show_grounding(grounding: Grounding) -> None:
    if not grounding.details:
        console.print("[dim]No specific details (names, places, dates, events) to check.[/]")
        return
    table = Table("detail", "kind", "found in", box=None, pad_edge=False)
    for detail in grounding.details:
        where = ", ".join(detail.sources) if detail.grounded else "[bold red]NOT GROUNDED[/]"
        table.add_row(escape(detail.text), detail.kind, where)
    console.print(table)


def interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _brief(to: str | None, sender: str | None, occasion: str | None, tone: str | None,
           client: str | None, brief_file: Path | None, default_sender: str | None) -> Brief:
    fields: dict[str, object] = {"notes": []}
    if brief_file is not None:
        try:
            data = brief_file.read_bytes()
        except OSError as exc:
            raise InputError(f"{brief_file.name}: cannot read it ({exc.strerror})") from None
        try:
            fields = parse_brief(data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise InputError(f"{brief_file.name}: the brief is not UTF-8 text") from None
    return assemble(fields, to=to, sender=sender, occasion=occasion, tone=tone, client=client,
                    default_sender=default_sender)


@click.group()
def letters() -> None:
    """Letters in your own voice: write, keep, proofread, export, and make a book."""


@letters.command("new")
@click.option("--to", "to", metavar="NAME", help="Whom the letter is to.")
@click.option("--from", "sender", metavar="NAME", help="Whom it is from (default: you, or the client).")
@click.option("--occasion", help="What it is for: a birthday, an anniversary, a thank-you ...")
@click.option("--tone", help="How it should sound (default: warm).")
@click.option("--client", metavar="NAME", help="Written for a client of your letter service.")
@click.option("--brief", "brief_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A brief file: To:, From:, Client:, Occasion:, Tone: lines, then what to mention.")
@click.option("--edit/--no-edit", default=None, help="Open the draft in $EDITOR before keeping it.")
@click.option("-y", "--yes", is_flag=True, help="Keep it without asking (if every detail is grounded).")
@click.option("--keep-flagged", is_flag=True, help="Keep it even with details that are not grounded.")
@AS_JSON
@click.pass_obj
def new(state: CliState, to: str | None, sender: str | None, occasion: str | None, tone: str | None,
        client: str | None, brief_file: Path | None, edit: bool | None, yes: bool, keep_flagged: bool,
        as_json: bool) -> None:
    """Draft a letter from what os1 knows (or a client's brief), check every detail, keep it."""
    async def work(studio: Studio) -> tuple[Draft, Letter | None, str | None]:
        from os1.letters.recall import user_name

        brief = _brief(to, sender, occasion, tone, client, brief_file, await user_name(studio.memory))
        draft = await studio.draft(brief)
        text, keep = _review(draft, studio, edit, yes, keep_flagged, as_json)
        return draft, (await studio.keep(draft, text) if keep else None), text

    draft, letter, text = run(state, work)
    flagged = (letter.latest.grounding if letter else draft.grounding).flagged
    if as_json:
        checked = letter.latest.grounding if letter else draft.grounding
        click.echo(json.dumps({"text": letter.text if letter else draft.text,
                               "grounding": checked.to_dict(),
                               "memories": [{"ref": m.ref, "text": m.text} for m in draft.memories],
                               "by_model": draft.by_model, "kept": letter.id if letter else None},
                              ensure_ascii=False))
    if letter is not None:
        if not as_json:
            console.print(f"[dim](kept as letter {letter.id}; `os1 letters show {letter.id}`)[/]")
        return
    if interactive() and not yes:  # the user was asked and said no
        console.print("[dim]Not kept.[/]")
        return
    if flagged and not keep_flagged:
        names = ", ".join(d.text for d in flagged)
        raise Os1Error(f"not kept: not grounded in the brief or a memory: {names}"
                                   " (edit it, or pass --keep-flagged)")


def _review(draft: Draft, studio: Studio, edit: bool | None, yes: bool, keep_flagged: bool,
            as_json: bool) -> tuple[str, bool]:
    """Show the draft and its check; let the user edit it; decide whether to keep it."""
    text, grounding = draft.text, draft.grounding
    if not as_json:
        _show_draft(text, grounding, draft)
    if edit or (edit is None and interactive() and not yes and
                confirm("Edit it in your editor first?", default=False, err=True)):
        edited = click.edit(text)
        if edited is not None and edited.strip():
            text = edited
            grounding = studio.check(text, [*draft.brief.sources(), *draft.memories])
            if not as_json:
                console.print("[dim]Checked again after your edit:[/]")
                show_grounding(grounding)
    if grounding.flagged and not keep_flagged:
        if not interactive() or yes:
            return text, False
        return text, confirm(f"{len(grounding.flagged)} detail(s) are not grounded. Keep it anyway?",
                                   default=False, err=True)
    return text, yes or keep_flagged or not interactive() or confirm("Keep it?", default=True, err=True)


def write_in_chat(runner: asyncio.Runner, asking: Asking, ask: LetterAsk) -> None:
    """A letter asked for in plain words in ``os1 chat``: drafted, checked, shown, kept on yes."""
    with console.status("[dim]writing...[/]", spinner="dots"):
        drafted = Drafted(runner.run(asking.draft(ask)))
    studio = asking.studio()  # the check again after an edit
    try:
        text, keep = _review(drafted.draft, studio, None, False, False, False)
    finally:
        runner.run(studio.letters.close())
    if keep:  # a flagged draft only after its own "keep it anyway?"
        letter = runner.run(asking.keep(drafted, text, keep_flagged=True))
        console.print(f"[dim](kept as letter {letter.id}; `os1 letters show {letter.id}`)[/]")
    else:
        console.print("[dim](not kept)[/]")


def _show_draft(text: str, grounding: Grounding, draft: Draft) -> None:
    console.print(escape(text))
    if not draft.by_model:
        err_console.print("[dim](the model wrote too little; the body is made from the brief)[/]")
    show_grounding(grounding)


@letters.command("list")
@click.option("--client", metavar="NAME", help="Only this client's letters.")
@click.option("-n", "limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@AS_JSON
@click.pass_obj
def list_letters(state: CliState, client: str | None, limit: int, as_json: bool) -> None:
    """Kept letters, newest first."""
    found = run(state, lambda s: s.letters.find(client=client, limit=limit))
    _print_list(found, as_json)


@letters.command()
@click.argument("query")
@AS_JSON
@click.pass_obj
def search(state: CliState, query: str, as_json: bool) -> None:
    """Letters whose recipient, occasion, client, brief or text holds every word of QUERY."""
    _print_list(run(state, lambda s: s.letters.find(query=query)), as_json)


def _print_list(found: list[Letter], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([x.to_dict() for x in found], ensure_ascii=False))
        return
    if not found:
        console.print("No letters yet: `os1 letters new --to NAME --occasion ...`.")
        return
    table = Table("id", "when", "to", "occasion", "client", "versions", "", box=None, pad_edge=False)
    for x in found:
        marks = ("★ " if x.favourite else "") + ("private" if x.private else "")
        if x.latest.grounding.flagged:
            marks += f" {len(x.latest.grounding.flagged)} flagged"
        table.add_row(str(x.id), x.when, escape(x.brief.to), escape(x.brief.occasion),
                      escape(x.brief.client or ""), str(len(x.versions)), marks.strip())
    console.print(table)


def _must(letter: Letter | None, letter_id: int) -> Letter:
    if letter is None:
        raise InputError(f"no letter {letter_id} (see `os1 letters list`)")
    return letter


@letters.command()
@click.argument("letter_id", type=ROW_ID)
@click.option("--version", "version", type=click.IntRange(1, 10**6),
              help="An earlier version (default: the latest).")
@AS_JSON
@click.pass_obj
def show(state: CliState, letter_id: int, version: int | None, as_json: bool) -> None:
    """One letter, the details in it and where each came from, and its versions."""
    letter = _must(run(state, lambda s: s.letters.get(letter_id)), letter_id)
    if as_json:
        click.echo(json.dumps(letter.to_dict(), ensure_ascii=False))
        return
    chosen = next((v for v in letter.versions if v.n == version), None) if version else letter.latest
    if chosen is None:
        raise InputError(f"letter {letter_id} has no version {version} (it has {len(letter.versions)})")
    b = letter.brief
    console.print(f"[bold {CORAL}]Letter {letter.id}[/] to {escape(b.to)} from {escape(b.sender)}"
                  + (f" (client {escape(b.client)})" if b.client else "")
                  + (f", {escape(b.occasion)}" if b.occasion else "") + f", {letter.when}")
    console.print(escape(chosen.text))
    show_grounding(chosen.grounding)
    for v in letter.versions:
        console.print(f"[dim]version {v.n}: {escape(v.note)}[/]")


@letters.command()
@click.argument("letter_id", type=ROW_ID)
@click.pass_obj
def edit(state: CliState, letter_id: int) -> None:
    """Edit a letter in $EDITOR: a new version, checked again; the old ones stay."""
    async def work(studio: Studio) -> Letter | None:
        letter = _must(await studio.letters.get(letter_id), letter_id)
        text = click.edit(letter.text)
        if text is None or not text.strip() or text == letter.text:
            return None
        return await studio.revise(letter, text, "edited")

    letter = run(state, work)
    if letter is None:
        console.print("[dim]Unchanged.[/]")
        return
    show_grounding(letter.latest.grounding)
    console.print(f"[dim](letter {letter.id}, version {letter.latest.n})[/]")


@letters.command()
@click.argument("letter_id", type=ROW_ID)
@click.option("--favourite/--not-favourite", default=None, help="One of your favourites (for the book).")
@click.option("--private/--public", default=None, help="Private letters stay out of the book.")
@click.pass_obj
def mark(state: CliState, letter_id: int, favourite: bool | None, private: bool | None) -> None:
    """Mark a letter as a favourite, or as private or public."""
    letter = run(state, lambda s: s.letters.mark(letter_id, favourite=favourite, private=private))
    console.print(f"letter {letter.id}: {'favourite' if letter.favourite else 'not a favourite'}, "
                  f"{'private' if letter.private else 'public'}")


@letters.command()
@click.argument("letter_id", type=ROW_ID)
@click.pass_obj
def forget(state: CliState, letter_id: int) -> None:
    """Delete a letter for good: every version and every file made from it."""
    if not run(state, lambda s: s.letters.forget(letter_id)):
        raise InputError(f"no letter {letter_id} (see `os1 letters list`)")
    console.print(f"Forgot letter {letter_id}.")


@letters.command("import")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@AS_JSON
@click.pass_obj
def import_(state: CliState, files: tuple[Path, ...], as_json: bool) -> None:
    """Learn your voice from letters you wrote (.txt, .md, .docx, .eml)."""
    from os1.letters.importing import read_letters

    read = read_letters(list(files))  # every file is read first: one bad file keeps none

    async def work(studio: Studio) -> tuple[int, dict[str, object]]:
        added = await studio.learn_from(read)
        return added, (await studio.voice()).to_dict()

    added, profile = run(state, work)
    if as_json:
        click.echo(json.dumps({"imported": added, "profile": profile}, ensure_ascii=False))
        return
    console.print(f"Learnt from {added} new letter(s) ({len(read) - added} already known).")


@letters.command()
@AS_JSON
@click.pass_obj
def voice(state: CliState, as_json: bool) -> None:
    """Your voice as os1 has learnt it from the letters you imported."""
    profile = run(state, lambda s: s.voice())
    if as_json:
        click.echo(json.dumps(profile.to_dict(), ensure_ascii=False))
        return
    if not profile.letters:
        console.print("Nothing learnt yet: `os1 letters import FILE...` with letters you wrote.")
        return
    console.print(f"From {profile.letters} letter(s), {profile.words} words:")
    for line in profile.prompt_lines():
        console.print("  " + escape(line))


@letters.command()
@click.argument("letter_id", type=ROW_ID)
@click.option("--all", "accept_all", is_flag=True, help="Accept every change without asking.")
@AS_JSON
@click.pass_obj
def proofread(state: CliState, letter_id: int, accept_all: bool, as_json: bool) -> None:
    """Proofread a letter: each change with its reason, accepted one by one; a new version."""
    from os1.proofing import apply
    from os1.proofing import proofread as check

    letter = _must(run(state, lambda s: s.letters.get(letter_id)), letter_id)
    names = [d.text for d in letter.latest.grounding.details if d.kind in ("name", "place")]
    result = check(letter.text, skip=[w for n in names for w in n.split()])
    if as_json:
        click.echo(json.dumps({"changes": [c.to_dict() for c in result.changes], "notes": list(result.notes)},
                              ensure_ascii=False))
        return
    for note in result.notes:
        err_console.print(f"[dim]{escape(note)}[/]")
    if not result.changes:
        console.print("Nothing to change.")
        return
    accepted = []
    for change in result.changes:
        line = f"“{change.old}” → “{change.new}”  ({change.reason})"
        if accept_all or not interactive():
            console.print(escape(line))
            accepted.append(change) if accept_all else None
        elif confirm(line, default=True, err=True):
            accepted.append(change)
    if not accepted:
        console.print("[dim]No change made.[/]" if accept_all or interactive()
                      else "[dim](listed only: run in a terminal to accept them, or pass --all)[/]")
        return
    text = apply(letter.text, accepted)
    revised = run(state, lambda s: s.revise(letter, text, f"proofread: {len(accepted)} change(s)"))
    console.print(f"[dim](letter {revised.id}, version {revised.latest.n})[/]")


@letters.command()
@click.argument("letter_id", type=ROW_ID)
@click.option("--format", "fmt", type=click.Choice(["pdf", "txt", "md"]), default="pdf", show_default=True,
              help="pdf: on a page that looks handwritten.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write it (default: the letters folder).")
@click.pass_obj
def export(state: CliState, letter_id: int, fmt: str, output: Path | None) -> None:
    """Write a letter out: a handwritten-looking PDF, plain text or Markdown."""
    from os1.letters.rendering import render

    async def work(studio: Studio) -> Path:
        letter = _must(await studio.letters.get(letter_id), letter_id)
        data = await asyncio.to_thread(render, letter, fmt)  # type: ignore[arg-type]
        path = output
        if path is None:
            folder = await asyncio.to_thread(private_dir, studio.letters.folder / "files")
            path = folder / f"letter-{letter.id}-v{letter.latest.n}.{fmt}"
            await studio.letters.add_file(letter.id, path)  # forgotten with the letter
        await asyncio.to_thread(write_private, path, data)
        return path

    click.echo(str(run(state, work)))


@letters.command("export-all")
@click.option("--client", metavar="NAME", help="Only this client's letters.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The ZIP file to write (letters.json and one Markdown file a letter).")
@click.pass_obj
def export_all(state: CliState, client: str | None, output: Path) -> None:
    """Export every letter (or one client's) at once, with every version, as a ZIP."""
    from os1.letters.archive import archive

    async def work(studio: Studio) -> tuple[int, bytes]:
        found = await studio.letters.find(client=client, limit=10**9)
        return len(found), await asyncio.to_thread(archive, found, client)

    count, data = run(state, work)
    try:
        write_private(output, data)  # 0600: the letters and their briefs
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc.strerror}") from None
    click.echo(f"Exported {count} letter(s) to {output}.", err=True)


@letters.command()
@click.option("-o", "--output", "folder", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The folder for book.pdf and book.epub.")
@click.option("--title", default="Letters", show_default=True)
@click.option("--subtitle", default="A selection", show_default=True)
@click.option("--author", help="Whose letters (default: your name).")
@click.option("--client", metavar="NAME", help="Only this client's letters.")
@click.option("--size", type=click.IntRange(1, 10_000), default=20, show_default=True,
              help="At most this many letters.")
@click.option("--favourite-weight", type=float, default=3.0, show_default=True)
@click.option("--variety-weight", type=float, default=1.0, show_default=True)
@click.option("--reading-weight", type=float, default=2.0, show_default=True,
              help="Weight of the model's own reading of each letter (capable models only).")
@click.option("--include", type=ROW_ID, multiple=True, help="A letter to put in whatever the rest says.")
@click.option("--exclude", type=ROW_ID, multiple=True, help="A letter to leave out.")
@click.option("--dry-run", is_flag=True, help="Only say which letters would go in, and why.")
@AS_JSON
@click.pass_obj
def book(state: CliState, folder: Path, title: str, subtitle: str, author: str | None, client: str | None,
         size: int, favourite_weight: float, variety_weight: float, reading_weight: float,
         include: tuple[int, ...], exclude: tuple[int, ...], dry_run: bool, as_json: bool) -> None:
    """Choose the best letters, write a foreword, and typeset a book as PDF and EPUB."""
    criteria = making.Criteria(size=size, favourite=favourite_weight, variety=variety_weight,
                               client=client, include=include, exclude=exclude, reading=reading_weight)

    capable = state.settings.llm.models[state.settings.llm.default if state.model_name is None
                                        else state.model_name].is_capable
    titles = making.Titles(title, subtitle, author)

    async def work(studio: Studio) -> tuple[making.Chosen, list[Path]]:
        return await making.make(studio, criteria, None if dry_run else folder, titles, capable=capable)

    chosen, paths = run(state, work)
    if as_json:
        click.echo(json.dumps({"criteria": criteria.describe(), "letters": [x.id for x in chosen.letters],
                               "reasons": chosen.reasons, "files": [str(p) for p in paths]}))
        return
    console.print("Chosen by: " + "; ".join(criteria.describe()))
    for x in chosen.letters:
        console.print(f"  {x.id}: to {escape(x.brief.to)} ({escape(chosen.reasons.get(x.id, ''))})")
    if not chosen.letters:
        raise InputError("no letter fits these criteria (private and flagged letters stay out; --include ID)")
    for path in paths:
        click.echo(str(path))
    if paths:
        console.print(f"[dim](to send it to a publisher: `os1 letters send-book {escape(str(folder))}"
                      " --to ADDRESS`; it is shown whole first and sent only on your yes)[/]")


@letters.command("send-book")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--to", "to", required=True, metavar="ADDRESS", help="The publisher's address.")
@click.option("--subject", default="A book of letters", show_default=True)
@click.option("--body", help="The mail's text (default: a short note).")
@click.option("--yes", is_flag=True, help="Send without asking (after reading the mail).")
@click.pass_obj
def send_book(state: CliState, folder: Path, to: str, subject: str, body: str | None, yes: bool) -> None:
    """Mail the book (PDF and EPUB) to a publisher: shown whole, sent only on yes."""
    from os1.cli.mail_cmd import _ask, _send_logged, _with_mail
    from os1.letters.publishing import book_mail, book_preview

    text = body or "Hello,\n\nAttached is a book of letters, as PDF and EPUB. I hope you enjoy reading it."

    async def send_if_agreed(service: MailService) -> None:
        msg = book_mail(service.settings, folder, to, subject, text)
        if _ask(book_preview(msg), "Send this mail with the book?", yes):
            console.print(escape(await _send_logged(state, service, "letters_send_book", msg)))
        else:
            console.print("Not sent.")

    _with_mail(state, send_if_agreed)
