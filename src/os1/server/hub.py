"""Events for a user's open sockets, whichever worker holds them.

Each socket registers a ``deliver`` callback (it queues the event; sending is the socket's own
task, so one slow client never holds up another). ``publish`` delivers on this worker at once;
with Redis it also publishes on the user's channel, to which every worker holding one of that
user's sockets is subscribed. A worker skips the messages it published itself, since it has
already delivered them."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)
Event = dict[str, Any]
Deliver = Callable[[Event], None]
CHANNEL = "os1:user:"
REVOKED = "revoked"  # an event for the sockets' guards, never sent to a client


def revoked(credential: str | None) -> Event:
    """The event that ends sockets opened with ``credential`` (None: all of the user's)."""
    return {"type": REVOKED, "credential": credential}


class Hub:
    def __init__(self, worker: str, redis: Any | None = None) -> None:
        self.worker = worker
        self.redis = redis
        self._sockets: dict[str, dict[int, Deliver]] = {}
        self._ids = itertools.count(1)
        self._pubsub: Any | None = None
        self._listener: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.redis is None:
            return
        self._pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        # always subscribed to something, so listening never ends for lack of channels
        await self._pubsub.subscribe(f"os1:worker:{self.worker}")
        self._listener = asyncio.create_task(self._listen())

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        if self._pubsub is not None:
            await self._pubsub.aclose()

    @property
    def connected(self) -> int:
        return sum(len(s) for s in self._sockets.values())

    async def join(self, user_id: str, deliver: Deliver) -> int:
        sockets = self._sockets.setdefault(user_id, {})
        socket_id = next(self._ids)
        sockets[socket_id] = deliver
        if len(sockets) == 1 and self._pubsub is not None:
            await self._pubsub.subscribe(CHANNEL + user_id)
        return socket_id

    async def leave(self, user_id: str, socket_id: int) -> None:
        sockets = self._sockets.get(user_id, {})
        sockets.pop(socket_id, None)
        if not sockets:
            self._sockets.pop(user_id, None)
            if self._pubsub is not None:
                await self._pubsub.unsubscribe(CHANNEL + user_id)

    async def publish(self, user_id: str, event: Event, *, skip: int | None = None) -> None:
        """Deliver ``event`` to every socket of the user except ``skip`` (the one it came from)."""
        self._deliver(user_id, event, skip)
        if self.redis is not None:
            message = json.dumps({"worker": self.worker, "event": event})
            await self.redis.publish(CHANNEL + user_id, message)

    def _deliver(self, user_id: str, event: Event, skip: int | None) -> None:
        for socket_id, deliver in list(self._sockets.get(user_id, {}).items()):
            if socket_id != skip:
                deliver(event)

    async def _listen(self) -> None:
        assert self._pubsub is not None
        while True:
            try:
                async for message in self._pubsub.listen():
                    self._received(message)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a dropped connection: redis-py reconnects on the next read
                log.warning("hub: lost Redis (%s); listening again", exc)
                await asyncio.sleep(0.5)

    def _received(self, message: dict[str, Any]) -> None:
        if message.get("type") != "message":
            return
        channel = message["channel"]
        channel = channel.decode() if isinstance(channel, bytes) else str(channel)
        try:
            body = json.loads(message["data"])
        except (TypeError, ValueError):
            return
        if body.get("worker") != self.worker:
            self._deliver(channel.removeprefix(CHANNEL), body["event"], None)
