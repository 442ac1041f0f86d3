"""``os1 mail``: sync, read, triage, clean up (with undo), proofread, reply and send.

Anything that changes the mailbox or sends mail shows exactly what it will do and asks first;
``--yes`` answers for scripts that have already shown the user the same text.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from email.message import EmailMessage
from typing import TypeVar

import click
from rich.markup import escape
from rich.text import Text

from os1.cli.io import ROW_ID, argument_text, confirm, confirm_on_terminal, console, read_stdin
from os1.cli.state import CliState
from os1.errors import InputError
from os1.mail.compose import compose, preview
from os1.mail.index import Mail, MailIndex
from os1.mail.proofread import proofread
from os1.mail.service import MailService, index_path
from os1.memory.embedding.embedders import load_embedder
from os1.runtime import open_guard

T = TypeVar("T")
SHOWN = 20  # mails listed under each heading of the summary


def _with_mail(state: CliState, work: Callable[[MailService], Awaitable[T]]) -> T:
    async def with_service() -> T:
        settings = state.settings
        embedder = load_embedder(settings.memory.embedder, settings.memory.embedder_threads or None)
        service = MailService(settings.mail, MailIndex(index_path(settings.home, settings.user)),
                              embedder)
        try:
            return await work(service)
        finally:
            await service.close()

    return asyncio.run(with_service())


def _line(m: Mail) -> Text:
    mark = " " if m.seen else "•"
    return Text(f"{m.id:>6} {mark} {m.sender[:32]:<32} {m.subject[:60]}")


def _ask(text: str, question: str, yes: bool, from_stdin: bool = False) -> bool:
    """Show ``text`` and ask; when stdin carried the body, the answer comes from the terminal."""
    console.print(Text(text))
    if yes:
        return True
    return confirm_on_terminal(question) if from_stdin else confirm(question, default=False)


def _stdin_body(body: str | None) -> bool:
    return body in (None, "-")


@click.group()
def mail() -> None:
    """Your mail: sync, triage, clean up with undo, proofread, reply (see docs/mail.md)."""


@mail.command()
@click.pass_obj
def sync(state: CliState) -> None:
    """Fetch what is new (only what is new) into the local index."""
    report = _with_mail(state, lambda s: s.sync())
    console.print(f"{report.new} new, {report.removed} gone, {report.flag_changes} changed")


@mail.command("list")
@click.option("-n", "limit", type=click.IntRange(1, 10_000), default=30, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_(state: CliState, limit: int, as_json: bool) -> None:
    """Newest messages in the index (• unread)."""
    async def newest_messages(s: MailService) -> list[Mail]:
        return s.index.messages(limit=limit)

    for m in _with_mail(state, newest_messages):
        if as_json:
            click.echo(json.dumps({"id": m.id, "from": m.from_addr, "subject": m.subject, "date": m.date,
                                   "seen": m.seen, "folder": m.folder}))
        else:
            console.print(_line(m))


@mail.command()
@click.argument("message_id", type=ROW_ID)
@click.option("--add-to-calendar", "add", is_flag=True,
              help="Add the invitation the mail holds to your calendar (lists it, asks first).")
@click.option("--yes", is_flag=True, help="With --add-to-calendar: add without asking.")
@click.pass_obj
def show(state: CliState, message_id: int, add: bool, yes: bool) -> None:
    """One message as plain visible text (hidden parts removed, nothing fetched), with its
    Date, To, Reply-To, attachments and any invitation."""
    async def load_message(s: MailService) -> Mail:
        return s.get(message_id)

    m = _with_mail(state, load_message)
    console.print(Text(message_text(m)))
    if m.invite:
        _offer_invite(state, m, add, yes)
    elif add:
        raise InputError(f"message {m.id} holds no invitation")


def message_text(m: Mail) -> str:
    """The headers a person checks (who, when, where replies go), attachments, then the body."""
    date = (datetime.fromtimestamp(m.date).astimezone().strftime("%a %d %b %Y %H:%M %Z") if m.date
            else "unknown (the mail has no valid Date)")
    lines = [f"From: {m.sender}", f"To: {', '.join(m.to) or '(none)'}", f"Date: {date}",
             f"Subject: {m.subject}", f"Folder: {m.folder}"]
    if m.reply_to and m.reply_to != m.from_addr:
        lines.append(f"Reply-To: {m.reply_to} (not the sender; os1 replies to the sender)")
    lines += [f"Attachment: {a.line()}" for a in m.attachments]
    body = m.text if m.text.strip() else f"(no body shown: {m.problem or 'the message has no text'})"
    return "\n".join(lines) + "\n\n" + body


def _offer_invite(state: CliState, m: Mail, add: bool, yes: bool) -> None:
    from os1.cli.dav_cmd import import_events

    if not add:
        console.print(Text(f"\nInvitation inside: `os1 mail show {m.id} --add-to-calendar` adds it "
                           "(it lists the event and asks first)."))
        return
    import_events(state, m.invite.encode(), {"mail": m.id}, yes)


@mail.command()
@click.argument("query")
@click.pass_obj
def search(state: CliState, query: str) -> None:
    """Search by words (all of them), a sender's name, or an address (sender or recipient)."""
    async def search_index(s: MailService) -> list[Mail]:
        return s.index.search(query)

    found = _with_mail(state, search_index)
    if not found:
        console.print(Text(f"No mail matches {query!r}."))
    for m in found:
        console.print(_line(m))


@mail.command()
@click.pass_obj
def summary(state: CliState) -> None:
    """Sync, then what needs a reply, what is new, and what can wait."""
    async def print_summary(s: MailService) -> None:
        await s.sync()
        sorted_ = await s.summary()
        for title, mails in (("Needs a reply", sorted_.needs_reply), ("New", sorted_.new),
                             ("Can wait", sorted_.can_wait)):
            console.print(f"[bold]{title}[/] ({len(mails)})")
            for m in mails[:SHOWN]:
                console.print(_line(m))
            if len(mails) > SHOWN:
                console.print(f"  … and {len(mails) - SHOWN} more (`os1 mail list -n {len(mails) + 50}`)")
        if sorted_.superseded:  # out of date: a newer notification is about the same thing
            console.print(f"[bold]Superseded[/] ({len(sorted_.superseded)}; `os1 mail cleanup` moves them)")
            for old, newer in sorted_.superseded[:SHOWN]:
                console.print(_line(old).append(f"  (superseded by #{newer.id})", style="dim"))

    _with_mail(state, print_summary)


@mail.command()
@click.option("--yes", is_flag=True, help="Apply without asking (after reading the list).")
@click.pass_obj
def cleanup(state: CliState, yes: bool) -> None:
    """Propose moving redundant mail to Trash/Archive; on yes, move it (never deleted)."""
    async def clean_up_if_agreed(s: MailService) -> None:
        proposal, items = await s.propose_cleanup()
        if not items:
            console.print("Nothing to clean up.")
            return
        listing = "\n".join(f"{p.id:>6} → {p.target:<7} {p.sender[:28]:<28} {p.subject[:40]} ({p.reason})"
                            for p in items)
        if _ask(listing, f"Move these {len(items)} messages?", yes):
            moved = [p.id for p in items]
            console.print(escape(await open_guard(state.settings).run_commanded(
                "mail_cleanup_apply", {"proposal": proposal, "messages": moved},
                lambda: s.apply_cleanup(proposal), outbound=False)))
        else:
            console.print("Nothing moved.")

    _with_mail(state, clean_up_if_agreed)


@mail.command()
@click.pass_obj
def undo(state: CliState) -> None:
    """Put back what the last clean-up moved."""
    guard = open_guard(state.settings)
    console.print(escape(_with_mail(state, lambda s: guard.run_commanded("mail_undo", {}, s.undo,
                                                                          outbound=False))))


async def _send_logged(state: CliState, s: MailService, tool: str, msg: EmailMessage) -> str:
    """Send on the user's own command, through the same outbound log and limits as the companion."""
    args = {"to": str(msg["To"]), "subject": str(msg["Subject"])}
    return await open_guard(state.settings).run_commanded(tool, args, lambda: s.send(msg))


def _body(body: str | None, limit: int) -> str:
    text = read_stdin(limit) if _stdin_body(body) else argument_text(body or "")
    if not text.strip():
        raise InputError("the message body is empty")
    return text


@mail.command()
@click.argument("message_id", type=ROW_ID)
@click.option("--body", help="The reply's text ('-' or none: read stdin, and ask the yes on the terminal).")
@click.option("--yes", is_flag=True, help="Send without asking (after reading the message).")
@click.pass_obj
def reply(state: CliState, message_id: int, body: str | None, yes: bool) -> None:
    """Reply to a message: shows the whole reply, sends only on yes."""
    text = _body(body, state.settings.chat.max_input_chars)

    async def reply_if_agreed(s: MailService) -> None:
        msg = s.reply(message_id, text)
        if _ask(preview(msg, s.reply_note(message_id)), "Send this reply?", yes, _stdin_body(body)):
            console.print(escape(await _send_logged(state, s, "mail_reply", msg)))
        else:
            console.print("Not sent.")

    _with_mail(state, reply_if_agreed)


@mail.command()
@click.option("--to", required=True)
@click.option("--subject", required=True)
@click.option("--body", help="The text ('-' or none: read stdin, and ask the yes on the terminal).")
@click.option("--yes", is_flag=True, help="Send without asking (after reading the message).")
@click.pass_obj
def send(state: CliState, to: str, subject: str, body: str | None, yes: bool) -> None:
    """Send a new message: shows it whole, sends only on yes."""
    text = _body(body, state.settings.chat.max_input_chars)

    async def send_if_agreed(s: MailService) -> None:
        msg = compose(s.settings, to, subject, text)
        if _ask(preview(msg), "Send this message?", yes, _stdin_body(body)):
            console.print(escape(await _send_logged(state, s, "mail_send", msg)))
        else:
            console.print("Not sent.")

    _with_mail(state, send_if_agreed)


@mail.command("proofread")
@click.argument("text", required=False)
@click.pass_obj
def proofread_cmd(state: CliState, text: str | None) -> None:
    """Proofread TEXT (or stdin): the corrected text, then each change."""
    done = proofread(_body(text, state.settings.chat.max_input_chars))
    console.print(Text(done.text))
    for change in done.changes:
        console.print(Text(f"  changed: {change}"), style="dim")
    for note in done.notes:
        console.print(Text(f"  tone: {note}"), style="dim")
