"""One user's mail: the index, the IMAP session (opened on first need) and the account settings,
behind the operations the CLI and the companion's tools share."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from email.message import EmailMessage
from pathlib import Path

import imapclient.imapclient

from os1.config import MailSettings
from os1.errors import ToolFailed, ToolInputError
from os1.mail import compose as outgoing
from os1.mail.cleanup import Proposal, propose
from os1.mail.imap import Mailbox
from os1.mail.index import Mail, MailIndex, Move
from os1.mail.superseded import superseded
from os1.mail.sync import SyncReport, sync
from os1.mail.triage import Triage, triage
from os1.memory.base import Embedder


def index_path(home: Path, user: str) -> Path:
    return home / "users" / user / "mail.sqlite3"


class MailService:
    def __init__(self, settings: MailSettings, index: MailIndex,
                 embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.index = index
        self.embedder = embedder  # superseded notifications by meaning; None: by identifiers only
        self._box: Mailbox | None = None

    async def box(self) -> Mailbox:
        if self._box is None:
            self._box = await Mailbox.open(self.settings)
        return self._box

    async def sync(self) -> SyncReport:
        """The triaged folders, and the Sent folder (the user's answers) when the server has one."""
        box = await self.box()
        folders = list(self.settings.folders)
        sent = self.settings.sent or await box.existing_special(imapclient.imapclient.SENT)
        if sent and sent not in folders:
            folders.append(sent)
        return await sync(box, self.index, folders)

    def get(self, mail_id: int) -> Mail:
        found = self.index.get(mail_id)
        if found is None:
            raise ToolInputError(f"there is no message {mail_id} (see `os1 mail list`)")
        return found

    def _once(self, limit: int) -> list[Mail]:
        """The triaged folders' latest mail, each once (a copy delivered twice is one)."""
        mails, seen = [], set()
        for mail in (m for f in self.settings.folders for m in self.index.messages(f, limit)):
            if (mail.message_id, mail.body_hash) not in seen:
                seen.add((mail.message_id, mail.body_hash))
                mails.append(mail)
        return mails

    def triage(self, limit: int = 200, newer: Mapping[int, Mail] | None = None) -> Triage:
        """Each mail once, against every thread's latest word, the user's own sent answers
        included; the notifications in ``newer`` listed as superseded."""
        mails = self._once(limit)
        latest: dict[str, Mail] = {}
        for mail in sorted(mails + self.index.written_by(self.settings.address or "", limit),
                           key=lambda m: m.date):
            latest[mail.thread] = mail
        return triage(mails, self.settings.address or "", latest, newer)

    async def summary(self, limit: int = 200) -> Triage:
        """``triage``, with superseded notifications found by meaning (``os1.mail.superseded``)."""
        return self.triage(limit, await superseded(self._once(limit), self.embedder))

    async def propose_cleanup(self) -> tuple[int, list[Proposal]]:
        mails = [m for f in self.settings.folders for m in self.index.messages(f, 100_000)]
        items = propose(mails, superseded=await superseded(mails, self.embedder))
        return (self.index.save_proposal([p.to_dict() for p in items]) if items else 0), items

    async def _targets(self) -> dict[str, str]:
        box = await self.box()
        trash = self.settings.trash or await box.special(imapclient.imapclient.TRASH, "Trash")
        archive = self.settings.archive or await box.special(imapclient.imapclient.ARCHIVE, "Archive")
        return {"trash": trash, "archive": archive}

    async def apply_cleanup(self, proposal_id: int) -> str:
        """Move every message of an open proposal; recorded as one batch for undo."""
        items = self.index.proposal(proposal_id)
        if items is None:
            raise ToolInputError(f"there is no open clean-up proposal {proposal_id}")
        targets = await self._targets()
        groups: dict[tuple[str, str], list[dict[str, object]]] = defaultdict(list)
        for item in items:
            groups[(str(item["folder"]), targets[str(item["target"])])].append(item)
        box = await self.box()
        moves: list[Move] = []
        for (folder, target), group in groups.items():
            uids = [int(str(i["uid"])) for i in group]
            await box.move(folder, uids, target)
            self.index.remove(folder, uids)
            moves += [Move(str(i["message_id"]), folder, target) for i in group]
        self.index.record_moves(moves)
        self.index.close_proposal(proposal_id)
        return f"moved {len(moves)} messages ({', '.join(sorted({m.to_folder for m in moves}))}); " \
               "`os1 mail undo` puts them back"

    async def undo(self) -> str:
        """Put the last clean-up batch back where it was."""
        last = self.index.last_batch()
        if last is None:
            raise ToolFailed("there is no clean-up to undo")
        batch, moves = last
        box = await self.box()
        back = 0
        for move in moves:
            uids = await box.find_message_id(move.to_folder, move.message_id)
            await box.move(move.to_folder, uids, move.from_folder)
            back += len(uids)
        self.index.mark_undone(batch)
        await self.sync()
        return f"put back {back} messages"

    def reply(self, mail_id: int, body: str) -> EmailMessage:
        return outgoing.compose_reply(self.settings, self.get(mail_id), body)

    def reply_note(self, mail_id: int) -> str:
        original = self.get(mail_id)
        if original.reply_to and original.reply_to != original.from_addr:
            return (f"the message asks for replies to {original.reply_to}; os1 replies to the "
                    f"sender {original.from_addr}")
        return ""

    async def send(self, msg: EmailMessage) -> str:
        result = await outgoing.send(self.settings, msg)
        try:  # keep a copy in Sent, as mail programs do
            box = await self.box()
            sent = self.settings.sent or await box.special(imapclient.imapclient.SENT, "Sent")
            await box.append(sent, bytes(msg), flags=("\\Seen",))
        except ToolFailed:
            pass
        return result

    async def close(self) -> None:
        if self._box is not None:
            await self._box.close()
        self.index.close()
