"""Incremental sync: for each folder, fetch only UIDs above the last one seen (while UIDVALIDITY
holds), drop what the server no longer has, and refresh flags. Nothing is fetched twice; mail is
fetched in batches bounded in bytes too, and a large mail only as far as its text goes."""

from __future__ import annotations

from dataclasses import dataclass

from os1.mail.imap import Mailbox, batches
from os1.mail.index import MailIndex
from os1.mail.parse import parse
from os1.mail.similar import simhash


@dataclass
class SyncReport:
    new: int = 0
    removed: int = 0
    flag_changes: int = 0


async def sync_folder(box: Mailbox, index: MailIndex, folder: str, report: SyncReport) -> None:
    state = await box.state(folder)
    known = index.folder(folder)
    if known is None or known[0] != state.uidvalidity:
        index.set_folder(folder, state.uidvalidity, 1)  # new or renumbered: fetch everything
        known = (state.uidvalidity, 1)
    have = index.known_uids(folder)
    if state.uidnext > known[1]:
        fresh = await box.uids(folder, known[1])
        for uids in batches(fresh, await box.sizes(folder, fresh)):
            batch = await box.fetch(folder, uids)
            rows = [(m.uid, m.flags, parsed, simhash(parsed.subject + " " + parsed.text))
                    for m in batch for parsed in [parse(m.raw)]]
            report.new += index.add(folder, state.uidvalidity, rows)
    if have:
        on_server = set(await box.uids(folder, 1)) if state.messages else set()
        gone = [u for u in have if u not in on_server]
        index.remove(folder, gone)
        report.removed += len(gone)
        kept = [u for u in have if u in on_server]
        report.flag_changes += index.set_flags(folder, await box.flags(folder, kept))
    index.set_folder(folder, state.uidvalidity, state.uidnext)


async def sync(box: Mailbox, index: MailIndex, folders: list[str]) -> SyncReport:
    report = SyncReport()
    for folder in folders:
        await sync_folder(box, index, folder, report)
    return report
