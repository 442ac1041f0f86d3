"""Talking in text: one whole turn over HTTP, or streamed turns over ``/v1/chat/ws``.

A turn runs under the user's turn lock (two devices take turns, never interleave) and holds
the user's space only while it runs, so an idle socket costs no open store. When a turn ends,
the user's other sockets, on any worker, get a ``turn`` notice."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, WebSocket, WebSocketDisconnect

from os1.agent.events import ConfirmationNeeded, Recalled, ToolActivity, TurnDone
from os1.errors import InputError, Os1Error
from os1.server.api.asking import answer_asked
from os1.server.api.schemas import ChatReply, ChatRequest, Memory
from os1.server.api.sockets import accept, end_socket, incoming, json_object
from os1.server.auth import ApiError, Caller, limit, site_of, still_valid, talker
from os1.server.hub import REVOKED, Event
from os1.server.reaching import heard, wake
from os1.server.site import Site
from os1.server.watch import watched
from os1.types import TextDelta

log = logging.getLogger(__name__)
router = APIRouter(tags=["chat"])
Talker = Annotated[Caller, Depends(talker)]
Emit = Callable[[dict[str, Any]], None]
MAX_MESSAGE = 200_000  # characters in one socket message
DELTA_GAP = 0.05  # seconds: deltas arriving closer together than this are sent as one


def _event(event: object) -> dict[str, Any] | None:
    match event:
        case Recalled(memories):
            return {"type": "recalled", "memories": [Memory.of(m).model_dump() for m in memories]}
        case TextDelta(text):
            return {"type": "delta", "text": text}
        case ConfirmationNeeded():
            return confirm_event(event)
        case ToolActivity(call, result):
            return {"type": "tool", "name": call.name, "result": result[:2000]}
        case TurnDone():
            return {"type": "done", "reply": event.reply, "reply_id": event.reply_id,
                    "said_id": event.user_id, "interrupted": event.interrupted}
    return None


def confirm_event(event: ConfirmationNeeded) -> dict[str, Any]:
    """A held action, as every socket shows it for the user's yes (the agents socket too)."""
    return {"type": "confirm", "action_id": event.action_id, "tool": event.tool, "preview": event.preview,
            "reasons": list(event.reasons), "foreign": dict(event.foreign)}


async def run_turn(site: Site, user_id: str, text: str, emit: Emit,
                   at: float | None = None, outside: str = "") -> dict[str, Any] | None:
    """One turn, its events handed to ``emit`` as they happen; the ``done`` event, if it got
    that far. Bad input and model failures are ``error`` events, never exceptions. ``outside``:
    a game's state shown with the turn as outside content (``Companion.respond``)."""
    await limit(site, f"turn:{user_id}", site.settings.server.turns_per_minute, "messages")
    done: dict[str, Any] | None = None
    metrics, started, first = site.metrics, time.perf_counter(), True
    async with site.spaces.use(user_id) as space, space.turn:
        companion = await space.companion()
        before = companion.last_turn
        try:
            if (done := await answer_asked(space, companion, text, emit)) is not None:
                return done  # a piece or a letter asked for in plain words: the deed itself
            async for event in companion.respond(text, at=at, outside=outside):
                if (message := _event(event)) is not None:
                    if first and message["type"] == "delta":
                        metrics.first_token.observe(time.perf_counter() - started)
                        first = False
                    emit(message)
                    if message["type"] == "done":
                        done = message
        except Os1Error as exc:
            metrics.turns.labels("error").inc()
            emit({"type": "error", "message": str(exc)})
        except asyncio.CancelledError:  # stopped: the reply was kept as far as it went
            metrics.turns.labels("stopped").inc()
            if companion.last_turn is not None and companion.last_turn is not before:
                emit(_event(companion.last_turn) or {})
            raise
    if done is not None:
        metrics.turns.labels("done").inc()
        await heard(site, user_id)  # the initiative hears the new words
    return done


@router.post("/v1/chat", response_model=ChatReply)
async def chat(body: ChatRequest, who: Talker, request: Request) -> ChatReply:
    """One turn, answered whole (for clients that do not stream)."""
    events: list[dict[str, Any]] = []
    site = site_of(request)
    done = await run_turn(site, who.user_id, body.text, events.append, body.at)
    if done is None:
        error = next((e["message"] for e in events if e["type"] == "error"), "the turn did not finish")
        raise ApiError(400 if "message" in error or "empty" in error else 502, error)
    await site.hub.publish(who.user_id, _notice(body.text, done))
    recalled: list[dict[str, Any]] = next((e["memories"] for e in events if e["type"] == "recalled"), [])
    confirm = next((e for e in events if e["type"] == "confirm"), None)
    asked = next((e for e in events if e["type"] in ("letter", "piece")), None)
    return ChatReply(reply=done["reply"], reply_id=done["reply_id"], said_id=done["said_id"],
                     recalled=[Memory(**m) for m in recalled], confirm=confirm, asked=asked)


def _notice(said: str, done: dict[str, Any]) -> dict[str, Any]:
    return {"type": "notice", "kind": "turn", "said": said, "reply": done["reply"],
            "reply_id": done["reply_id"]}


def _parse(raw: str) -> dict[str, Any]:
    message = json_object(raw, MAX_MESSAGE)
    if message is None:
        raise InputError('a message is a JSON object such as {"type": "say", "text": "hello"}')
    if message.get("type") not in ("say", "stop"):
        raise InputError('a message has "type" "say" (with "text") or "stop"')
    if message["type"] == "say" and not isinstance(message.get("text"), str):
        raise InputError('"say" needs "text", a string')
    return message


class ChatSocket:
    """One open chat socket: a reader, a sender and the turns, one after another."""

    def __init__(self, site: Site, ws: WebSocket, who: Caller) -> None:
        self.site, self.ws, self.who = site, ws, who
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.said: asyncio.Queue[str] = asyncio.Queue()
        self.turn: asyncio.Task[None] | None = None
        self.socket_id = 0

    async def run(self) -> None:
        self.socket_id = await self.site.hub.join(self.who.user_id, self._deliver)
        tasks: list[asyncio.Task[None]] = []
        try:
            # watched first: rights withdrawn while what fell due is woken are not missed
            async with watched(self.site, self.who, self._end):
                await wake(self.site, self.who.user_id)  # what fell due while no tab was open
                tasks = [asyncio.create_task(self._send()), asyncio.create_task(self._turns())]
                await self._read()
        finally:
            for task in tasks:
                task.cancel()
            if self.turn is not None:
                self.turn.cancel()
            for task in [*tasks, *([self.turn] if self.turn else [])]:
                with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
                    await task
            await self.site.hub.leave(self.who.user_id, self.socket_id)

    def _deliver(self, event: Event) -> None:
        if event.get("type") != REVOKED:  # for the watch, not the client
            self.outbox.put_nowait(event)

    async def _end(self) -> None:
        """Rights withdrawn: the turn in flight stops and the socket closes."""
        if self.turn is not None and self.turn is not asyncio.current_task():
            self.turn.cancel()
        await end_socket(self.ws)

    async def _read(self) -> None:
        async for message in incoming(self.ws, _parse, self.outbox.put_nowait):
            if message["type"] == "stop":
                if self.turn is not None and not self.turn.done():
                    self.turn.cancel()
            else:
                self.said.put_nowait(message["text"])

    async def _turns(self) -> None:
        while True:
            text = await self.said.get()
            self.turn = asyncio.create_task(self._turn(text))
            await asyncio.wait([self.turn])  # a stopped turn ends here; a closed socket ends us

    async def _turn(self, text: str) -> None:
        if not await still_valid(self.site, self.who):
            await self._end()
            return
        try:
            done = await run_turn(self.site, self.who.user_id, text, self.outbox.put_nowait)
        except ApiError as exc:  # rate limited
            self.outbox.put_nowait({"type": "error", "message": str(exc.detail)})
            return
        if done is not None:
            await self.site.hub.publish(self.who.user_id, _notice(text, done), skip=self.socket_id)

    async def _send(self) -> None:
        """Send the events in order. Deltas that arrive within ``DELTA_GAP`` of the last one
        sent go as one: a reply's first words leave at once, and a fast model's tokens cost
        one socket frame per gap instead of one each (for both ends)."""
        held: dict[str, Any] | None = None
        while True:
            event = held or await self.outbox.get()
            held = None
            if event["type"] == "delta":
                event, held = self._gather(event)
            await self.ws.send_text(json.dumps(event))
            if event["type"] == "delta" and held is None:
                await asyncio.sleep(DELTA_GAP)

    def _gather(self, delta: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """``delta`` joined with the deltas queued right behind it, and the first other event
        queued after them, if any."""
        parts = [delta["text"]]
        while not self.outbox.empty():
            event = self.outbox.get_nowait()
            if event["type"] != "delta":
                return {"type": "delta", "text": "".join(parts)}, event
            parts.append(event["text"])
        return {"type": "delta", "text": "".join(parts)}, None


@router.websocket("/v1/chat/ws")
async def chat_socket(ws: WebSocket) -> None:
    """Streamed turns: send ``say``/``stop``; receive ``recalled``, ``delta``, ``done``, ``error``
    and ``notice`` events (docs/api.md)."""
    who = await accept(ws)
    if who is None:
        return
    await ChatSocket(site_of(ws), ws, who).run()
    with contextlib.suppress(RuntimeError, WebSocketDisconnect):  # the client may have gone first
        await ws.close()
