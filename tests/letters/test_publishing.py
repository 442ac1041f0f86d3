"""The book to a publisher through the real mail servers: shown whole with its attachments,
sent only on yes."""

from __future__ import annotations

import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from os1.letters import book
from os1.letters.brief import Brief
from os1.letters.grounding import Grounding
from os1.letters.keeping import Letter, Version
from os1.testing.servers import Imap, Smtp
from tests.mail.conftest import imap, servers, smtp  # noqa: F401  (the real servers' fixtures)
from tests.mail.test_mail_cli import os1

pytestmark = pytest.mark.integration


def make_book(folder: Path) -> None:
    version = Version(1, "Dear Ana,\n\nThank you.\n\nLove,\nTheo", Grounding(()), "drafted", time.time())
    letter = Letter(1, Brief("Ana", "Theo", "thanks", client="Marek"), False, True, time.time(), (version,))
    chosen = book.Chosen((letter,))
    folder.mkdir()
    (folder / "book.pdf").write_bytes(book.pdf(chosen, "Letters", "One", "Theo", "A foreword."))
    book.epub(chosen, "Letters", "One", "Theo", "A foreword.", folder / "book.epub")


def test_the_book_is_sent_only_on_yes(os1_home: Path, imap: Imap, smtp: Smtp, tmp_path: Path) -> None:  # noqa: F811
    make_book(tmp_path / "book")
    before = len(smtp.received)
    shown = os1(os1_home, imap, smtp, "letters", "send-book", str(tmp_path / "book"), "--to",
                "editor@example.org", stdin="n\n")
    assert shown.returncode == 0, shown.stderr
    assert "To: editor@example.org" in shown.stdout and "book.epub" in shown.stdout
    assert "Not sent" in shown.stdout and len(smtp.received) == before
    sent = os1(os1_home, imap, smtp, "letters", "send-book", str(tmp_path / "book"), "--to",
               "editor@example.org", stdin="y\n")
    assert sent.returncode == 0, sent.stderr
    assert smtp.received[-1]["to"] == ["editor@example.org"]
    mail = message_from_bytes(smtp.received[-1]["raw"], policy=policy.default)
    names = sorted(part.get_filename() for part in mail.iter_attachments())  # type: ignore[attr-defined]
    assert names == ["book.epub", "book.pdf"]
    actions = os1(os1_home, imap, smtp, "actions", "--json").stdout
    assert "letters_send_book" in actions


def test_no_book_is_one_line(os1_home: Path, imap: Imap, smtp: Smtp, tmp_path: Path) -> None:  # noqa: F811
    result = os1(os1_home, imap, smtp, "letters", "send-book", str(tmp_path), "--to", "a@example.org")
    assert result.returncode == 2 and "no book" in result.stderr and result.stderr.count("\n") == 1
