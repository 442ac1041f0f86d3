"""The companion's mail tools. Everything read from mail comes back as ``Outside`` content;
every change (send, reply, move, undo) declares its policy and shows its exact effect."""

from __future__ import annotations

from typing import Any

from os1.mail.compose import compose, preview
from os1.mail.index import Mail
from os1.mail.proofread import proofread
from os1.mail.service import MailService
from os1.outside import Outside
from os1.tools.base import Policy, Tool, tool

SNIPPET = 240


def _item(mail: Mail, full: bool = False) -> tuple[str, str]:
    text = mail.text if full else mail.text[:SNIPPET]
    return (f"message {mail.id} from {mail.sender}", f"Subject: {mail.subject}\n{text}")


def _superseded(pairs: list[tuple[Mail, Mail]]) -> str:
    return ", ".join(f"{old.id} by {newer.id}" for old, newer in pairs)


def mail_tools(service: MailService) -> list[Tool]:
    """Tools bound to one user's mail."""

    async def mail_check() -> Outside:
        """Fetch new mail and sort it: what needs a reply, what is new, what can wait."""
        report = await service.sync()
        sorted_ = await service.summary()
        items = [_item(m) for m in sorted_.needs_reply[:10] + sorted_.new[:10]]
        note = (f"{report.new} new since last check. Needs a reply: "
                f"{', '.join(str(m.id) for m in sorted_.needs_reply) or 'none'}. New: "
                f"{', '.join(str(m.id) for m in sorted_.new) or 'none'}. Can wait "
                f"(lists, notifications, read mail): "
                f"{', '.join(str(m.id) for m in sorted_.can_wait[:30]) or 'none'}. Superseded "
                f"(out of date): {_superseded(sorted_.superseded[:30]) or 'none'}.")
        return Outside(tuple(items), note=note)

    async def mail_search(query: str) -> Outside:
        """Search the user's mail by words, a sender's name or an address; returns matching
        messages with their ids."""
        found = service.index.search(query, limit=8)
        return Outside(tuple(_item(m) for m in found), note=f"{len(found)} messages found")

    async def mail_read(message: int) -> Outside:
        """Read one message in full, by its id."""
        return Outside((_item(service.get(message), full=True),))

    async def mail_thread(message: int) -> Outside:
        """Read a message's whole conversation and a few of the user's own mails (their voice), to
        draft a reply that sounds like them."""
        mail = service.get(message)
        thread = service.index.thread(mail.thread) or [mail]
        mine = service.index.written_by(service.settings.address or "", limit=3)
        items = [_item(m, full=True) for m in thread[-5:]]
        items += [(f"the user's own mail {m.id} (a sample of their voice)", m.text[:800]) for m in mine]
        return Outside(tuple(items), note=f"{len(thread)} messages in the conversation; "
                                          "draft in the voice of the samples, then call mail_reply")

    async def mail_cleanup() -> Outside:
        """Find redundant mail (duplicates, superseded notifications, old newsletters) and propose
        moving it to Trash or Archive. Nothing moves until the user agrees."""
        proposal, items = await service.propose_cleanup()
        if not items:
            return Outside((), note="nothing to clean up")
        note = (f"Clean-up proposal {proposal}: {len(items)} messages. To apply it, call "
                f"mail_cleanup_apply with proposal={proposal}; the user will be asked.")
        return Outside(tuple((f"message {p.id} from {p.sender} → {p.target}",
                              f"{p.subject} ({p.reason})") for p in items[:30]), note=note)

    async def cleanup_preview(args: dict[str, Any]) -> str:
        items = service.index.proposal(int(args["proposal"])) or []
        lines = [f"- #{i['id']} {i['sender']}: {i['subject']} → {i['target']} ({i['reason']})" for i in items]
        return f"Move {len(items)} messages (never deleted; one step to undo):\n" + "\n".join(lines)

    async def mail_cleanup_apply(proposal: int) -> str:
        """Apply a clean-up proposal: move its messages to Trash/Archive (undo with mail_undo)."""
        return await service.apply_cleanup(proposal)

    async def mail_undo() -> str:
        """Put back the messages the last clean-up moved."""
        return await service.undo()

    async def reply_preview(args: dict[str, Any]) -> str:
        message = int(args["message"])
        return preview(service.reply(message, str(args["body"])), service.reply_note(message))

    async def mail_reply(message: int, body: str) -> str:
        """Reply to a message (by id) with this body, in the user's voice. The user sees the whole
        message and must agree before it is sent."""
        return await service.send(service.reply(message, body))

    async def send_preview(args: dict[str, Any]) -> str:
        return preview(compose(service.settings, str(args["to"]), str(args["subject"]), str(args["body"])))

    async def mail_send(to: str, subject: str, body: str) -> str:
        """Send a new mail. The user sees the whole message and must agree before it is sent."""
        return await service.send(compose(service.settings, to, subject, body))

    async def proofread_text(text: str) -> str:
        """Proofread a draft: spelling, grammar, tone. Returns the corrected text and the changes."""
        done = proofread(text)
        changes = "\n".join(f"- {c}" for c in done.changes) or "- none"
        notes = "".join(f"\n- tone: {n}" for n in done.notes)
        return f"{done.text}\n\nChanges:\n{changes}{notes}"

    proofread_text.__name__ = "proofread"
    return [
        tool(mail_check), tool(mail_search), tool(mail_read), tool(mail_thread), tool(mail_cleanup),
        tool(mail_cleanup_apply, policy=Policy.CONFIRM, preview=cleanup_preview),
        tool(mail_undo, policy=Policy.GUARDED),
        tool(mail_reply, policy=Policy.CONFIRM, outbound=True, preview=reply_preview),
        tool(mail_send, policy=Policy.CONFIRM, sensitive=("to",), outbound=True, preview=send_preview),
        tool(proofread_text),
    ]
