"""The key to this machine's own os1: single-user servers (``os1 serve`` in single mode and
``os1 talk --listen``) answer only to a caller that shows it, as Jupyter does with its token.

The key is random, kept in the data directory readable only by its owner (0600), and stays the
same across restarts, so os1's own clients on this machine (``os1 talk --connect``) read it from
there; a web page or another local user cannot. A browser gets it once through the link the
server prints, which exchanges it for an HttpOnly cookie."""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
FILE = "local-key"
QUERY = "key"  # the link's query parameter
COOKIE = "os1_local"


def local_key(home: Path) -> str:
    """This data directory's key, made on first use."""
    path = home / FILE
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        os.chmod(path, 0o600)  # a copy left readable by others is tightened
        return path.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def shows_key(presented: str | None, key: str) -> bool:
    return presented is not None and hmac.compare_digest(presented.encode(), key.encode())


def bearer(header: str) -> str | None:
    """The token in an ``Authorization: Bearer ...`` header."""
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def is_loopback(host: str) -> bool:
    """Whether a host name or a ``Host`` header (``name:port``, ``[::1]:port``) is this machine."""
    if host in LOOPBACK_HOSTS:  # a bare name, IPv6 included
        return True
    try:
        return (urlsplit(f"//{host}").hostname or "") in LOOPBACK_HOSTS
    except ValueError:  # not a host at all
        return False


def same_origin(origin: str | None, host: str, allowed: list[str] | tuple[str, ...] = ()) -> bool:
    """Whether a request's ``Origin`` is the server's own (absent: not a browser page)."""
    if origin is None or origin in allowed:
        return True
    parts = urlsplit(origin)
    return parts.netloc == host and parts.scheme in ("http", "https")
