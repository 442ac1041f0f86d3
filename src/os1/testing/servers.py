"""Real servers on loopback, for the tests and the benchmarks.

- ``dovecot``: Dovecot IMAP from the Debian package ``dovecot-imapd``, with its own config in a
  private directory and one user. As root, mail runs as ``nobody`` and logins as Dovecot's own
  ``dovenull``/``dovecot`` users (Dovecot refuses to serve mail as root).
- ``smtp_server``: aiosmtpd with AUTH, recording every message it accepts and delivering local
  recipients into the Dovecot inbox by IMAP APPEND.
- ``radicale``: Radicale (CalDAV and CardDAV) with one htpasswd user.
- ``redis_server``, ``postgres``: Debian's redis-server, and PostgreSQL with pgvector from the
  ``pgserver`` wheel, for several os1 workers.
- ``os1_server``: ``os1 serve`` as its own process.

A missing server program raises ``ServerMissing`` with how to install it: tests fail loudly,
never skip.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

USER = "theo@example.org"
PASSWORD = "app-pass-1234"


class ServerMissing(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port held bound and never listened on, for as long as the block runs: a
    connection to it is refused at once, and no other server (another test's, on another worker)
    can take it meanwhile, as it could a port that ``free_port`` only found free."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield int(s.getsockname()[1])


START_S = 180.0  # what a server is given to start: only turns a hang into a failure that names it


def _wait_port(port: int, proc: subprocess.Popen[bytes], log: Path, what: str) -> None:
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on port {port} in {START_S:g} s:"
                       f" {log.read_text(errors='replace')[-2000:]}")


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """Ask a server process to stop; kill it if it has not within 10 s."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@dataclass(frozen=True)
class Imap:
    """A running Dovecot. Every address at ``domain`` is a mailbox with the same password, so
    each test can use a fresh one."""

    host: str
    port: int
    user: str
    password: str
    domain: str = "example.org"

    def as_user(self, user: str) -> Imap:
        return Imap(self.host, self.port, user, self.password, self.domain)


def _dovecot_config(root: Path, port: int) -> str:
    if os.geteuid() == 0:
        login, internal, mail_user, mail_group = "dovenull", "dovecot", "nobody", "nogroup"
        chroot = ""
    else:  # one unprivileged user runs everything
        login = internal = mail_user = pwd.getpwuid(os.geteuid()).pw_name
        mail_group = str(os.getegid())
        chroot = "service imap-login {\n  chroot =\n}\nservice anvil {\n  chroot =\n}\n"
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login}
default_internal_user = {internal}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%d {root}/users
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Trash {{
    special_use = \\Trash
    auto = create
  }}
  mailbox Archive {{
    special_use = \\Archive
    auto = create
  }}
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
{chroot}"""


@contextmanager
def dovecot(user: str = USER, password: str = PASSWORD) -> Iterator[Imap]:
    binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
    if binary is None:
        raise ServerMissing("Dovecot is not installed: apt-get install dovecot-imapd "
                            "(scripts/test does it when run as root)")
    root = Path(tempfile.mkdtemp(prefix="os1-dovecot-"))
    root.chmod(0o755)  # Dovecot's own users must reach the config and the mail
    (root / "home").mkdir()
    if os.geteuid() == 0:  # mail runs as nobody, who makes each user's home on first login
        shutil.chown(root / "home", "nobody", "nogroup")
    domain = user.rpartition("@")[2]
    (root / "users").write_text(f"{domain}:{{PLAIN}}{password}\n")  # keyed by domain: any user
    port = free_port()
    (root / "dovecot.conf").write_text(_dovecot_config(root, port))
    (root / "dovecot.log").touch()
    proc = subprocess.Popen([binary, "-F", "-c", str(root / "dovecot.conf")],
                            stdout=subprocess.DEVNULL, stderr=open(root / "stderr.log", "wb"))
    try:
        _wait_port(port, proc, root / "stderr.log", "dovecot")
        yield Imap("127.0.0.1", port, user, password, domain)
    finally:
        stop_process(proc)
        shutil.rmtree(root, ignore_errors=True)


def append(imap: Imap, raw: bytes, folder: str = "INBOX", flags: tuple[bytes, ...] = ()) -> None:
    """Put one message into the mailbox the way a delivery agent would."""
    import imapclient

    with imapclient.IMAPClient(imap.host, imap.port, ssl=False) as client:
        client.login(imap.user, imap.password)
        client.append(folder, raw, flags=flags)


@dataclass
class Smtp:
    host: str
    port: int
    received: list[dict[str, Any]] = field(default_factory=list)  # every accepted message


class _Deliver:
    """aiosmtpd handler: record, then deliver local recipients into the IMAP inbox."""

    def __init__(self, smtp: Smtp, imap: Imap | None) -> None:
        self.smtp, self.imap = smtp, imap

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = bytes(envelope.original_content or envelope.content)
        msg = message_from_bytes(raw, policy=policy.default)
        self.smtp.received.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                   "subject": str(msg.get("Subject", "")), "raw": raw})
        for rcpt in envelope.rcpt_tos:
            if self.imap is not None and rcpt.lower().endswith("@" + self.imap.domain):
                append(self.imap.as_user(rcpt.lower()), raw)
        return "250 OK delivered"


def _authenticator(domain: str, password: str) -> Any:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = (isinstance(data, LoginPassword) and data.login.decode().endswith("@" + domain)
              and data.password.decode() == password)
        return AuthResult(success=ok)

    return check


@contextmanager
def smtp_server(imap: Imap | None = None, domain: str = "example.org",
                password: str = PASSWORD) -> Iterator[Smtp]:
    from aiosmtpd.controller import Controller

    smtp = Smtp("127.0.0.1", free_port())
    controller = Controller(_Deliver(smtp, imap), hostname=smtp.host, port=smtp.port,
                            authenticator=_authenticator(domain, password), auth_require_tls=False)
    controller.start()
    try:
        yield smtp
    finally:
        controller.stop()


@dataclass(frozen=True)
class Dav:
    url: str
    user: str
    password: str
    root: Path


@contextmanager
def radicale(user: str = "theo", password: str = PASSWORD) -> Iterator[Dav]:
    try:
        import radicale as _radicale  # noqa: F401
    except ImportError:
        raise ServerMissing("Radicale is not installed: pip install radicale (in os1[dev])") from None
    root = Path(tempfile.mkdtemp(prefix="os1-radicale-"))
    (root / "users").write_text(f"{user}:{password}\n")
    port = free_port()
    log = root / "radicale.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--server-hosts", f"127.0.0.1:{port}",
         "--storage-filesystem-folder", str(root / "collections"), "--auth-type", "htpasswd",
         "--auth-htpasswd-filename", str(root / "users"), "--auth-htpasswd-encryption", "plain",
         "--logging-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=open(log, "wb"))
    try:
        _wait_port(port, proc, log, "radicale")
        yield Dav(f"http://127.0.0.1:{port}/", user, password, root)
    finally:
        stop_process(proc)
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def redis_server() -> Iterator[str]:
    """Debian's redis-server on a loopback port, nothing saved to disk; yields its URL."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        raise ServerMissing("redis-server is not installed: apt-get install redis-server")
    root = Path(tempfile.mkdtemp(prefix="os1-redis-"))
    port = free_port()
    log = root / "redis.log"
    proc = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                             "--appendonly", "no", "--dir", str(root), "--protected-mode", "yes"],
                            stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    try:
        _wait_port(port, proc, log, "redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop_process(proc)
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def postgres() -> Iterator[str]:
    """PostgreSQL 16 with pgvector from the ``pgserver`` wheel, in a temp directory, reached
    over its Unix socket only; yields its URI. As root, pgserver runs it as its own system user."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns at import when XDG_RUNTIME_DIR is unset
        try:
            from pgserver.postgres_server import get_server
        except ImportError:
            raise ServerMissing("pgserver is not installed: pip install pgserver (in os1[dev])") from None
    root = Path(tempfile.mkdtemp(prefix="os1-pg-"))  # short: the socket path must fit in 107 bytes
    server = get_server(root / "pgdata", cleanup_mode="delete")
    try:
        yield str(server.get_uri())
    finally:
        server.cleanup()
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def os1_server(home: Path, port: int, env: dict[str, str] | None = None,
               args: tuple[str, ...] = ()) -> Iterator[str]:
    """``os1 serve`` as its own process on a loopback port; yields its base URL."""
    home.mkdir(parents=True, exist_ok=True)
    log = home / "serve.log"
    full_env = {**os.environ, "OS1_HOME": str(home), "OS1_LOAD_PLUGINS": "", **(env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "os1", "serve", "--port", str(port), *args],
                            env=full_env, stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    try:
        _wait_port(port, proc, log, "os1 serve")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(proc)
