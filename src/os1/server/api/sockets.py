"""What every WebSocket of the API does alike: authenticate before accepting, read JSON
messages until the client goes (one that does not parse is answered with an ``error`` event and
skipped, the socket stays open), and close with the reason when rights are withdrawn."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect

from os1.errors import InputError
from os1.server.auth import ApiError, Caller, check_host, identify, same_origin, site_of
from os1.server.tokens import allows
from os1.server.watch import ENDED


async def accept(ws: WebSocket) -> Caller | None:
    """Authenticate a socket before accepting it (a ``chat`` scope at least); refused sockets are
    closed (HTTP 403)."""
    site = site_of(ws)
    try:
        check_host(site, ws)
    except ApiError:
        await ws.close(code=1008)
        return None
    who = await identify(site, ws) if same_origin(site, ws) else None
    if who is None or not allows(who.scope, "chat"):
        await ws.close(code=1008)
        return None
    await ws.accept()
    return who


async def incoming(ws: WebSocket, parse: Callable[[str], dict[str, Any]],
                   emit: Callable[[dict[str, Any]], None]) -> AsyncIterator[dict[str, Any]]:
    """The socket's text messages as ``parse`` reads them, until the client goes; one it refuses
    (an ``InputError``) is answered with ``{"type": "error", "message"}`` and skipped."""
    while True:
        try:
            raw = await ws.receive_text()
        except (WebSocketDisconnect, RuntimeError, KeyError):
            return
        try:
            message = parse(raw)
        except InputError as exc:
            emit({"type": "error", "message": str(exc)})
            continue
        yield message


def json_object(raw: str, limit: int) -> dict[str, Any] | None:
    """A socket message read as a JSON object (None when it is not one); one longer than
    ``limit`` characters is an ``InputError``."""
    if len(raw) > limit:
        raise InputError(f"a message is at most {limit:,} characters")
    try:
        message = json.loads(raw)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None


async def end_socket(ws: WebSocket) -> None:
    """Tell the client why, then close with 4401 (its rights were withdrawn)."""
    with contextlib.suppress(RuntimeError, WebSocketDisconnect):
        await ws.send_text(json.dumps({"type": "error", "message": ENDED}))
        await ws.close(code=4401)
