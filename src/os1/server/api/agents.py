"""Other agents in the web app: the agents a person knows, and conversations with them over A2A.

``GET /v1/agents`` lists the agents known by name: the ones in the settings
(``agents.a2a_peers``) and the ones the person added (``POST /v1/agents`` with a URL, whose
Agent Card is read first; kept in their profile). ``/v1/agents/ws`` holds conversations: the
client asks (``ask``: an agent, what to talk about, how many exchanges), and for each message os1
drafts, the server sends the same ``confirm`` event as the chat socket, from the same guard
(the user's, with its ledger and outbound limits); only the person's ``answer`` sends it:
``yes`` this one, ``all`` with a ``kind`` this one, and lets the agent receive that kind of thing
for the rest of this conversation (``os1.safety.allowance``: ``questions``, the default,
``opinions`` or ``about_me``; each message still shown as it goes, and one the guard finds beyond
the kind held again, its ``confirm`` saying why), ``no`` stops. An ``ask`` with ``"chat": true``
(the words "ask Sam ..." said in Talk) is drafted as ``os1 chat`` drafts it: the person's words
and what the two of them were just saying (``os1.agent.meeting.asked_in_chat``). The agent's reply
arrives piece by piece (``heard``), then whole (``said``); both sides are kept in memory naming the agent
(``os1.agent.meeting``). What the agent says is outside content: it taints the guard's turn,
reaches the model only spotlighted, and the drafting model has no tools, so it moves nothing.

In multi mode an added agent must be on the public internet (its address global), so no one
makes the server knock on its own or its network's doors.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import re
import socket
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Path, Request, Response, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field

from os1.agent.events import ConfirmationNeeded
from os1.errors import InputError, Os1Error
from os1.safety.allowance import KINDS, Kind, kind_of
from os1.safety.ledger import Action
from os1.server.api.chat import confirm_event
from os1.server.api.schemas import Strict
from os1.server.api.sockets import accept, end_socket, incoming, json_object
from os1.server.auth import ApiError, Caller, caller, limit, site_of
from os1.server.site import Site
from os1.server.spaces import Space
from os1.server.watch import watched

if TYPE_CHECKING:  # the A2A SDK loads when a person first talks with an agent
    from os1.agent.meeting import Meeting

router = APIRouter(prefix="/v1/agents", tags=["agents"])
Who = Annotated[Caller, Depends(caller)]
KNOWN = "a2a_agents"  # the profile key: the agents the person added, as JSON {name: url}
MAX_AGENTS = 50
MAX_TURNS = 5  # exchanges one ask may hold
MAX_MESSAGE = 8_000  # characters of one socket message
LOOKUP_S = 10.0  # seconds an added agent's host name may take to resolve
CARD_S = 10.0  # seconds an added agent may take to show its card
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")  # one word, as "ask Sam ..." reads it


class Agent(BaseModel):
    name: str
    url: str
    added: bool  # by the person (they may remove it); else from the settings


class Agents(BaseModel):
    items: list[Agent]


class AgentAdd(Strict):
    url: str = Field(min_length=8, max_length=2000)
    name: str | None = Field(default=None, max_length=40)


class AgentMet(Agent):
    description: str


async def known(space: Space, site: Site) -> dict[str, tuple[str, bool]]:
    """The agents known by name: name -> (URL, added by the person)."""
    added = json.loads((await space.store.profile()).get(KNOWN) or "{}")
    return {**{n: (u, False) for n, u in site.settings.agents.a2a_peers.items()},
            **{n: (u, True) for n, u in added.items()}}


@router.get("", response_model=Agents)
async def list_agents(who: Who, request: Request) -> Agents:
    site = site_of(request)
    async with site.spaces.use(who.user_id) as space:
        agents = await known(space, site)
    return Agents(items=[Agent(name=n, url=u, added=a) for n, (u, a) in sorted(agents.items())])


@router.post("", response_model=AgentMet, status_code=201)
async def add_agent(body: AgentAdd, who: Who, request: Request) -> AgentMet:
    """Read the agent's card at ``url`` and keep it by ``name`` (default: the card's first word)."""
    from os1.agents.a2a_peer import Peer

    site = site_of(request)
    url = body.url.strip().rstrip("/")
    await _reachable(url, site.settings.server.mode == "multi")
    try:
        peer = await Peer.reach(url, timeout_s=min(site.settings.agents.a2a_timeout_s, CARD_S))
    except Os1Error as exc:
        raise ApiError(400, str(exc)) from None
    try:
        name = (body.name or "").strip() or re.sub(r"[^A-Za-z0-9_-]", "", peer.name.split(" ")[0])[:40]
        description = peer.description
    finally:
        await peer.close()
    if not NAME.fullmatch(name):
        raise ApiError(400, "an agent's name is one word of letters, digits, - or _ (as in 'ask Sam ...')")
    async with site.spaces.use(who.user_id) as space:
        agents = await known(space, site)
        if name in agents and not agents[name][1]:
            raise ApiError(409, f"{name} is already an agent in the settings; choose another name")
        added = {n: u for n, (u, a) in agents.items() if a}
        if name not in added and len(added) >= MAX_AGENTS:
            raise ApiError(400, f"at most {MAX_AGENTS} agents; remove one first")
        added[name] = url
        await space.store.set_profile({KNOWN: json.dumps(added, sort_keys=True)})
    return AgentMet(name=name, url=url, added=True, description=description)


@router.delete("/{name}", status_code=204)
async def remove_agent(name: Annotated[str, Path(max_length=40)], who: Who, request: Request) -> Response:
    site = site_of(request)
    async with site.spaces.use(who.user_id) as space:
        agents = await known(space, site)
        if name not in agents or not agents[name][1]:
            raise ApiError(404, f"no agent {name} you added")
        added = {n: u for n, (u, a) in agents.items() if a and n != name}
        await space.store.set_profile({KNOWN: json.dumps(added, sort_keys=True)})
    return Response(status_code=204)


async def _reachable(url: str, public_only: bool) -> None:
    """An http(s) URL; in multi mode, one whose every address is global."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ApiError(400, "an agent's URL starts with http:// or https:// and names a host")
    if not public_only:
        return
    try:
        found = await asyncio.wait_for(asyncio.get_running_loop().getaddrinfo(
            parts.hostname, parts.port or 443, type=socket.SOCK_STREAM), LOOKUP_S)
    except (OSError, TimeoutError):
        raise ApiError(400, f"cannot find {parts.hostname}") from None
    if not found or not all(ipaddress.ip_address(str(f[4][0]).split("%")[0]).is_global for f in found):
        raise ApiError(400, "on this server an agent must be on the public internet")


def _parse(raw: str) -> dict[str, Any]:
    message = json_object(raw, MAX_MESSAGE) or {}
    kind = message.get("type")
    if kind == "ask" and isinstance(message.get("agent"), str) \
            and isinstance(message.get("text"), str) and message["text"].strip():
        return message
    if kind == "answer" and message.get("answer") in ("yes", "no", "all") \
            and kind_of(str(message.get("kind", "questions"))) is not None:
        return message
    if kind == "end":
        return message
    raise InputError('a message is {"type": "ask", "agent": NAME, "text": ..., "turns": N}, '
                     '{"type": "answer", "action_id": N, "answer": "yes" | "no" | "all", "kind": '
                     '"questions" | "opinions" | "about_me"} or {"type": "end"}')


Verdict = tuple[Literal["yes", "no", "all"], Kind]


class MeetingSocket:
    """One open agents socket: at most one conversation at a time, its rounds in a task."""

    def __init__(self, site: Site, ws: WebSocket, who: Caller, space: Space) -> None:
        self.site, self.ws, self.who, self.space = site, ws, who, space
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.meeting: Meeting | None = None
        self.rounds: asyncio.Task[None] | None = None
        self.waiting: tuple[int, asyncio.Future[Verdict]] | None = None

    async def run(self) -> None:
        sender = asyncio.create_task(self._send())
        try:
            async with watched(self.site, self.who, lambda: end_socket(self.ws)):
                await self._read()
        finally:
            for task in (sender, self.rounds):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
                        await task
            await self._end()

    async def _send(self) -> None:
        while True:
            await self.ws.send_text(json.dumps(await self.outbox.get()))

    def emit(self, event: dict[str, Any]) -> None:
        self.outbox.put_nowait(event)

    async def _read(self) -> None:
        async for message in incoming(self.ws, _parse, self.emit):
            if message["type"] == "answer":
                self._answered(message)
            elif message["type"] == "end":
                await self._stop_rounds()
                await self._end()
                self.emit({"type": "ended"})
            elif self.rounds is not None and not self.rounds.done():
                self.emit({"type": "error", "message": "wait for this exchange to end first"})
            else:
                self.rounds = asyncio.create_task(self._ask(message))

    def _answered(self, message: dict[str, Any]) -> None:
        if self.waiting is None or message.get("action_id") != self.waiting[0]:
            self.emit({"type": "error", "message": "nothing waits for that answer"})
            return
        future = self.waiting[1]
        if not future.done():
            kind = kind_of(str(message.get("kind", "questions"))) or "questions"
            future.set_result((message["answer"], kind))

    async def _stop_rounds(self) -> None:
        if self.rounds is not None and not self.rounds.done():
            self.rounds.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.rounds

    async def _end(self) -> None:
        """The conversation ends: its allowance with it (it is the meeting's)."""
        if self.meeting is not None:
            await self.meeting.peer.close()
        self.meeting = None

    async def _ask(self, message: dict[str, Any]) -> None:
        turns = message.get("turns", 1)
        turns = min(max(turns, 1), MAX_TURNS) if isinstance(turns, int) else 1
        try:
            await limit(self.site, f"turn:{self.who.user_id}", self.site.settings.server.turns_per_minute,
                        "messages")
            meeting = await self._meeting(message["agent"].strip())
            await self._about(meeting, message["text"].strip()[:MAX_MESSAGE], message.get("chat") is True)
            why = await self._rounds(meeting, turns)
        except ApiError as exc:  # too many at once
            self.emit({"type": "error", "message": str(exc.detail)})
            why = "failed"
        except Os1Error as exc:  # unreachable, failed, not A2A: one line
            self.emit({"type": "error", "message": str(exc)})
            why = "failed"
        self.emit({"type": "stopped", "why": why})

    async def _about(self, meeting: Meeting, text: str, in_chat: bool) -> None:
        """What to talk about: the person's words, and said in Talk, what the two were just
        saying, drafted as ``os1 chat`` drafts it."""
        from os1.agent.meeting import asked_in_chat

        if in_chat:
            meeting.about, meeting.drawn = await asked_in_chat(meeting.store, text)
        else:
            meeting.about, meeting.drawn = text, None

    async def _meeting(self, name: str) -> Meeting:
        """The conversation with ``name``: the one open, or a new one (the old one ends)."""
        from os1.agent.meeting import Meeting
        from os1.agents.a2a_peer import Peer

        agents = await known(self.space, self.site)
        url = agents[name][0] if name in agents else None
        if url is None:
            raise InputError(f"no agent called {name}; add it by its URL first")
        if self.meeting is not None and self.meeting.peer.url == url:
            return self.meeting
        await self._end()
        peer = await Peer.reach(url, timeout_s=self.site.settings.agents.a2a_timeout_s)
        companion = await self.space.companion()
        self.meeting = Meeting(peer, companion.model, companion.store, companion.guard,
                               companion.persona.name, "",
                               hear=lambda piece: self.emit({"type": "heard", "text": piece}),
                               max_tokens=companion.settings.max_tokens)
        self.emit({"type": "meeting", "agent": name, "name": peer.name, "url": url,
                   "description": peer.description})
        return self.meeting

    async def _rounds(self, meeting: Meeting, turns: int) -> str:
        """Up to ``turns`` exchanges; why they stopped: ``done``, ``declined`` or ``blocked``."""
        for _ in range(turns):
            async with self.space.turn:  # the model and the guard, one user's turn at a time
                action = await meeting.hold(await meeting.draft())
            if action is None:
                self.emit({"type": "error", "message": "not sent: over the outbound limits"})
                return "blocked"
            held = meeting.beyond(action)
            if held:
                try:
                    verdict, kind = await self._verdict(meeting, action, held)
                except asyncio.CancelledError:  # the conversation ended: what waited is declined
                    await meeting.answer(action, yes=False)
                    raise
                if verdict == "no":
                    async with self.space.turn:
                        await meeting.answer(action, yes=False)
                    return "declined"
                if verdict == "all":
                    meeting.allowance = kind
            text = str(action.arguments["message"])
            self.emit({"type": "sent", "who": meeting.name, "text": text, "action_id": action.id,
                       "allowed": meeting.allowance is not None, "allowance": meeting.allowance,
                       "asked": bool(held)})  # asked: it went on the person's own answer
            async with self.space.turn:
                heard = await meeting.answer(action, yes=True)
            self.emit({"type": "said", "who": meeting.peer.name, "text": heard or ""})
        return "done"

    async def _verdict(self, meeting: Meeting, action: Action, held: str) -> Verdict:
        """The person's answer to the held ``action``, shown whole as the chat shows one; inside
        an allowance, with why the guard held it again."""
        future: asyncio.Future[Verdict] = asyncio.get_running_loop().create_future()
        self.waiting = (action.id, future)
        reasons = action.reasons
        if meeting.allowance is not None:
            reasons = (*reasons, f"held again: {held}, beyond {KINDS[meeting.allowance]}")
        asked = ConfirmationNeeded(action.id, action.tool, action.preview, reasons, action.foreign)
        self.emit({**confirm_event(asked), "allowance": True, "kinds": KINDS,
                   "allowed": meeting.allowance})
        try:
            return await future
        finally:
            self.waiting = None


@router.websocket("/ws")
async def agents_socket(ws: WebSocket) -> None:
    """Conversations with other agents: send ``ask``/``answer``/``end``; receive ``meeting``,
    ``confirm``, ``sent``, ``heard``, ``said``, ``stopped``, ``ended`` and ``error`` events."""
    who = await accept(ws)
    if who is None:
        return
    site = site_of(ws)
    async with site.spaces.use(who.user_id) as space:
        await MeetingSocket(site, ws, who, space).run()
    with contextlib.suppress(RuntimeError, WebSocketDisconnect):
        await ws.close()
