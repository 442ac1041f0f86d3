"""Mail sync speed: initial and incremental sync of a large mailbox from the local Dovecot.

Starts Dovecot on loopback, fills one mailbox with ``--messages`` synthetic mails (IMAP APPEND
over a few connections), then times, in one process:
  * the baseline: a bare IMAPClient fetch of every message (``BODY.PEEK[]`` in batches of 500),
    with no parsing and no index;
  * os1's initial sync (fetch, parse, clean HTML, SimHash, write the SQLite index with FTS5);
  * an incremental sync with nothing new, and one with ten new messages.
Peak memory is the process's peak resident set size (ru_maxrss) after each step.

With ``--big-mb N`` it instead syncs one mail carrying an N MB attachment and reports the peak
RSS growth during the sync; ``--whole`` reads that mail whole, as os1 did before it read a large
mail only as far as its text (run each in its own process: the peak is the process's).

    python benchmarks/mail_sync.py [--messages 10000] [--json]
    python benchmarks/mail_sync.py --big-mb 20 [--whole] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import resource
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

import imapclient

from os1.config import MailSettings
from os1.mail.index import MailIndex
from os1.mail.service import MailService
from os1.testing.servers import Imap, dovecot

WORDS = ("meeting report invoice lunch friday photos trip project budget draft review family weekend "
         "garden concert train ticket book letter music coffee dinner plan update notes").split()


def synthetic(n: int, rng: random.Random) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"person{rng.randrange(300)}@example.net"
    msg["To"] = "bench@example.org"
    msg["Subject"] = " ".join(rng.choices(WORDS, k=4)).capitalize()
    msg["Date"] = formatdate(time.time() - rng.randrange(3 * 365 * 86400))
    msg["Message-ID"] = make_msgid(domain="bench.test")
    body = "\n".join(" ".join(rng.choices(WORDS, k=12)) for _ in range(rng.randrange(3, 30)))
    if n % 5 == 0:
        msg.set_content(f"<html><body><p>{body}</p><div style='display:none'>hidden</div></body></html>",
                        subtype="html")
    else:
        msg.set_content(body)
    return bytes(msg)


def fill(imap: Imap, count: int, start: int = 0, workers: int = 4) -> None:
    def part(worker: int) -> None:
        rng = random.Random(start * 1000 + worker)
        with imapclient.IMAPClient(imap.host, imap.port, ssl=False) as client:
            client.login(imap.user, imap.password)
            for n in range(worker, count, workers):
                client.append("INBOX", synthetic(start + n, rng))

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(part, range(workers)))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bare_fetch(imap: Imap) -> int:
    with imapclient.IMAPClient(imap.host, imap.port, ssl=False) as client:
        client.login(imap.user, imap.password)
        client.select_folder("INBOX", readonly=True)
        uids = client.search(["ALL"])
        fetched = 0
        for i in range(0, len(uids), 500):
            fetched += len(client.fetch(uids[i:i + 500], ["BODY.PEEK[]", "FLAGS"]))
        return fetched


async def timed(service: MailService) -> tuple[float, int]:
    start = time.perf_counter()
    report = await service.sync()
    return time.perf_counter() - start, report.new


async def run(messages: int) -> dict[str, Any]:
    with dovecot("bench@example.org") as imap, tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        fill(imap, messages)
        filled = time.perf_counter() - t0
        t0 = time.perf_counter()
        bare = bare_fetch(imap)
        bare_s = time.perf_counter() - t0
        settings = MailSettings(address=imap.user, password=imap.password, imap_host=imap.host,  # type: ignore[arg-type]
                                imap_port=imap.port, imap_security="none")
        service = MailService(settings, MailIndex(Path(tmp) / "mail.sqlite3"))
        rss_before = peak_mb()
        initial_s, initial_new = await timed(service)
        rss_initial = peak_mb()
        idle_s, _ = await timed(service)
        fill(imap, 10, start=messages)
        ten_s, ten_new = await timed(service)
        await service.close()
    return {"messages": messages, "fill_s": round(filled, 2), "baseline_fetch_s": round(bare_s, 2),
            "baseline_fetched": bare, "initial_sync_s": round(initial_s, 2), "initial_new": initial_new,
            "messages_per_s": round(initial_new / initial_s), "vs_baseline": round(initial_s / bare_s, 2),
            "incremental_nothing_new_s": round(idle_s, 3), "incremental_10_new_s": round(ten_s, 3),
            "incremental_new": ten_new, "peak_rss_mb": round(rss_initial, 1),
            "peak_rss_growth_mb": round(rss_initial - rss_before, 1)}


def big_mail(mb: int) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "ana@example.net", "bench@example.org", "The scans"
    msg["Date"], msg["Message-ID"] = formatdate(), make_msgid(domain="bench.test")
    msg.set_content("Here are the scans of the contract, all of them.")
    msg.add_attachment(random.Random(1).randbytes(mb * 1024 * 1024), maintype="application",
                       subtype="pdf", filename="scans.pdf")
    return bytes(msg)


def append_big(imap: Imap, mb: int) -> None:
    with imapclient.IMAPClient(imap.host, imap.port, ssl=False) as client:
        client.login(imap.user, imap.password)
        client.append("INBOX", big_mail(mb))


async def run_big(mb: int, whole: bool) -> dict[str, Any]:
    import os1.mail.imap

    if whole:
        os1.mail.imap.MAX_READ = 1 << 40
    with dovecot("bench@example.org") as imap, tempfile.TemporaryDirectory() as tmp:
        writer = multiprocessing.get_context("spawn").Process(target=append_big, args=(imap, mb))
        writer.start()  # in its own process, so making the mail does not raise this one's peak
        writer.join()
        settings = MailSettings(address=imap.user, password=imap.password, imap_host=imap.host,  # type: ignore[arg-type]
                                imap_port=imap.port, imap_security="none")
        service = MailService(settings, MailIndex(Path(tmp) / "mail.sqlite3"))
        before = peak_mb()
        seconds, new = await timed(service)
        [mail] = service.index.messages()
        await service.close()
    return {"attachment_mb": mb, "read_whole": whole, "sync_s": round(seconds, 2), "new": new,
            "text_kept": "scans of the contract" in mail.text,
            "peak_rss_growth_mb": round(peak_mb() - before, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--big-mb", type=int, default=0)
    parser.add_argument("--whole", action="store_true")
    args = parser.parse_args()
    if args.big_mb:
        print(json.dumps(asyncio.run(run_big(args.big_mb, args.whole))))
        return
    result = asyncio.run(run(args.messages))
    if args.json:
        print(json.dumps(result))
        return
    print(f"mailbox: {result['messages']} messages (filled in {result['fill_s']} s)")
    print(f"baseline bare IMAP fetch: {result['baseline_fetch_s']} s")
    print(f"os1 initial sync: {result['initial_sync_s']} s, {result['messages_per_s']} messages/s, "
          f"{result['vs_baseline']}x the bare fetch; peak RSS {result['peak_rss_mb']} MB "
          f"(+{result['peak_rss_growth_mb']} MB during sync)")
    print(f"incremental, nothing new: {result['incremental_nothing_new_s']} s; "
          f"10 new: {result['incremental_10_new_s']} s ({result['incremental_new']} fetched)")


if __name__ == "__main__":
    main()
