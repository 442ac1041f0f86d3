"""Which MCP clients the user lets use os1's MCP server, and for what (``os1 mcp grant``).

A client is known by a name: the one the user gives ``os1 mcp serve --client NAME`` (stdio, in
the assistant's own settings), else the name the client announces (its MCP ``clientInfo``). A
client with no grant is refused every tool. A grant names what the client may use: ``read``
(search, list, moments, letters, the calendar), ``remember`` and ``forget``. The grants are a
small JSON file in the user's data directory, 0600, read again at every call, so a revocation
holds at once, even for a server already running.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal, get_args

from os1.errors import InputError
from os1.files import private_dir, write_private
from os1.outside import clean_text

Use = Literal["read", "remember", "forget"]
USES: tuple[Use, ...] = get_args(Use)
MAX_NAME = 64


def grants_path(user_dir: Path) -> Path:
    return user_dir / "mcp-clients.json"


def client_name(name: str) -> str:
    """A client's name as grants key it: cleaned, case-folded, at most 64 characters."""
    cleaned = clean_text(name).strip().casefold()
    if not cleaned or len(cleaned) > MAX_NAME:
        raise InputError(f"a client's name is 1 to {MAX_NAME} characters (not {name[:80]!r})")
    return cleaned


def grants(path: Path) -> dict[str, frozenset[Use]]:
    """Every client the user allowed, and what each may use (an unreadable file allows none)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(name).casefold(): frozenset(u for u in uses if u in USES)  # a hand-edited name too
            for name, uses in data.items() if isinstance(uses, list)}


def allowed(path: Path, name: str) -> frozenset[Use]:
    return grants(path).get(client_name(name), frozenset())


def grant(path: Path, name: str, uses: frozenset[Use]) -> frozenset[Use]:
    """Let client ``name`` use ``uses`` (replacing what it had); what it may use now."""
    if not uses:
        raise InputError("grant at least one of --read, --remember, --forget")
    kept = grants(path)
    kept[client_name(name)] = uses
    _write(path, kept)
    return uses


def revoke(path: Path, name: str) -> bool:
    """Take every use from client ``name``; whether it had any."""
    kept = grants(path)
    if kept.pop(client_name(name), None) is None:
        return False
    _write(path, kept)
    return True


def _write(path: Path, kept: dict[str, frozenset[Use]]) -> None:
    private_dir(path.parent)
    ordered = {name: [u for u in USES if u in uses] for name, uses in sorted(kept.items())}
    write_private(path, json.dumps(ordered, indent=1) + "\n")
