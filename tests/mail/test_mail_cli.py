"""`os1 mail` as a user runs it, against the real servers; secrets never printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from os1.testing.servers import Imap, Smtp
from tests.mail.conftest import deliver, mail
from tests.mail.test_mail_server import server_counts

pytestmark = pytest.mark.integration  # Dovecot and an SMTP server, and os1 processes


def os1(home: Path, imap: Imap, smtp: Smtp, *args: str,
        stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OS1_HOME": str(home), "OS1_MAIL__ADDRESS": imap.user,
           "OS1_MAIL__PASSWORD": imap.password, "OS1_MAIL__IMAP_HOST": imap.host,
           "OS1_MAIL__IMAP_PORT": str(imap.port), "OS1_MAIL__IMAP_SECURITY": "none",
           "OS1_MAIL__SMTP_HOST": smtp.host, "OS1_MAIL__SMTP_PORT": str(smtp.port),
           "OS1_MAIL__SMTP_SECURITY": "none"}
    return subprocess.run([sys.executable, "-m", "os1", *args], env=env, input=stdin, text=True,
                          capture_output=True, timeout=120)


def test_mail_commands_end_to_end(os1_home: Path, imap: Imap, smtp: Smtp) -> None:
    deliver(imap, mail("ana@example.org", "Lunch", "Lunch at one?", msgid="<dup@x>"),
            mail("ana@example.org", "Lunch", "Lunch at one?", msgid="<dup@x>"))
    assert os1(os1_home, imap, smtp, "mail", "sync").stdout.startswith("2 new")
    listed = os1(os1_home, imap, smtp, "mail", "list").stdout
    assert listed.count("Lunch") == 2
    refused = os1(os1_home, imap, smtp, "mail", "cleanup", stdin="n\n")
    assert "exact duplicate" in refused.stdout and "Nothing moved" in refused.stdout
    assert server_counts(imap)["Trash"] == 0
    os1(os1_home, imap, smtp, "mail", "cleanup", stdin="y\n")
    assert server_counts(imap)["Trash"] == 1
    assert "put back 1" in os1(os1_home, imap, smtp, "mail", "undo").stdout
    before = len(smtp.received)
    shown = os1(os1_home, imap, smtp, "mail", "send", "--to", "bob@example.org", "--subject", "Hi",
                "--body", "See you soon.", stdin="n\n")
    assert "To: bob@example.org" in shown.stdout and "Not sent" in shown.stdout
    assert len(smtp.received) == before
    os1(os1_home, imap, smtp, "mail", "send", "--to", "bob@example.org", "--subject", "Hi",
        "--body", "See you soon.", "--yes")
    assert smtp.received[-1]["to"] == ["bob@example.org"]
    logged = os1(os1_home, imap, smtp, "actions", "--json").stdout.splitlines()
    assert [(json.loads(a)["tool"], json.loads(a)["status"]) for a in logged] == [
        ("mail_send", "done"), ("mail_undo", "done"), ("mail_cleanup_apply", "done")]
    config = os1(os1_home, imap, smtp, "config", "show").stdout
    assert imap.password not in config and "********" in config


def test_mail_errors_are_one_line(os1_home: Path, imap: Imap, smtp: Smtp) -> None:
    wrong = Imap(imap.host, imap.port, imap.user, "wrong-password")
    result = os1(os1_home, wrong, smtp, "mail", "sync")
    assert result.returncode == 1 and result.stderr.startswith("os1: error: cannot log in")
    assert len(result.stderr.strip().splitlines()) == 1 and "wrong-password" not in result.stderr
    unset = subprocess.run([sys.executable, "-m", "os1", "mail", "sync"], capture_output=True, text=True,
                           env={**os.environ, "OS1_HOME": str(os1_home)}, timeout=60)
    assert unset.returncode == 1 and "mail is not set up" in unset.stderr
    proof = os1(os1_home, imap, smtp, "mail", "proofread", "i recieve teh  letter tommorow")
    assert proof.stdout.startswith("I receive the letter tomorrow") and "recieve → receive" in proof.stdout


def test_a_piped_body_is_confirmed_on_the_terminal_and_sent_without_login(os1_home: Path, imap: Imap,
                                                                          smtp: Smtp) -> None:
    import fcntl
    import termios

    terminal, its_tty = os.openpty()

    def own_terminal() -> None:  # the child's controlling terminal: where a user would type
        os.setsid()
        fcntl.ioctl(its_tty, termios.TIOCSCTTY, 0)

    os.write(terminal, b"y\n")  # typed on the terminal; stdin carries only the body
    env = {**os.environ, "OS1_HOME": str(os1_home), "OS1_MAIL__ADDRESS": imap.user,
           "OS1_MAIL__PASSWORD": imap.password, "OS1_MAIL__SMTP_HOST": smtp.host,
           "OS1_MAIL__SMTP_PORT": str(smtp.port), "OS1_MAIL__SMTP_SECURITY": "none",
           "OS1_MAIL__IMAP_HOST": imap.host, "OS1_MAIL__IMAP_PORT": str(imap.port),
           "OS1_MAIL__IMAP_SECURITY": "none",
           "OS1_MAIL__SMTP_LOGIN": "false"}  # a local server that takes mail without a login
    before = len(smtp.received)
    done = subprocess.run([sys.executable, "-m", "os1", "mail", "send", "--to", "bob@example.org",
                           "--subject", "Piped", "--body", "-"], env=env, input="Typed elsewhere.\n",
                          text=True, capture_output=True, timeout=120, preexec_fn=own_terminal,
                          pass_fds=(its_tty,))
    os.close(terminal)
    os.close(its_tty)
    assert done.returncode == 0, done.stderr
    [sent] = smtp.received[before:]
    assert sent["to"] == ["bob@example.org"] and "Typed elsewhere." in done.stdout


def test_without_a_terminal_a_piped_body_is_never_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    from os1.cli import io
    from os1.errors import InputError

    def no_terminal(path: str, flags: int) -> int:
        raise OSError(6, "No such device or address", path)

    monkeypatch.setattr(io.os, "open", no_terminal)
    with pytest.raises(InputError, match="typed on a terminal"):
        io.confirm_on_terminal("Send this message?")
