"""Another A2A agent, reached with the ``a2a-sdk``'s own client: its Agent Card is read from
the well-known path of the URL the user gave, then each message is sent (streamed when the agent
streams) and its reply read as it arrives.

What the agent says is outside content: every piece is cleaned here (invisible characters gone)
and the caller treats it as data. A card that cannot be read, an agent that hangs past
``timeout_s``, refuses or answers with something that is not A2A: one ``ToolFailed`` line.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
from a2a.client import A2ACardResolver, ClientConfig, ClientFactory
from a2a.client.client import Client
from a2a.helpers import get_message_text, get_stream_response_text
from a2a.types import AgentCard, Message, Part, Role, SendMessageRequest, StreamResponse, TaskState

from os1.errors import ToolFailed
from os1.outside import clean_text

MAX_REPLY_CHARS = 20_000
_FAILED = (TaskState.TASK_STATE_FAILED, TaskState.TASK_STATE_REJECTED, TaskState.TASK_STATE_CANCELED)


@dataclass
class Peer:
    """One other agent, its card read; ``context_id`` keeps one conversation together."""

    url: str
    card: AgentCard
    client: Client
    http: httpx.AsyncClient
    context_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def name(self) -> str:
        return clean_text(self.card.name)[:80] or self.url

    @property
    def description(self) -> str:
        return clean_text(self.card.description)[:300]

    @classmethod
    async def reach(cls, url: str, *, timeout_s: float = 60.0,
                    transport: httpx.AsyncBaseTransport | None = None) -> Peer:
        """Read the agent's card at ``url`` and make a client for it (``transport``: an app in
        this process, for tests)."""
        http = httpx.AsyncClient(timeout=httpx.Timeout(timeout_s), follow_redirects=False, trust_env=False,
                                 transport=transport)
        try:
            card = await A2ACardResolver(http, url).get_agent_card()
            client = ClientFactory(ClientConfig(streaming=True, httpx_client=http)).create(card)
        except Exception as exc:  # unreachable, not A2A, no transport in common: one line
            await http.aclose()
            raise ToolFailed(f"no A2A agent at {url}: {_first_line(exc)}") from None
        return cls(url, card, client, http)

    async def say(self, text: str) -> AsyncIterator[str]:
        """Send ``text``; yield the agent's reply, cleaned, piece by piece as it arrives."""
        message = Message(role=Role.ROLE_USER, message_id=uuid.uuid4().hex, context_id=self.context_id,
                          parts=[Part(text=text)])
        told = 0
        try:
            async for event in self.client.send_message(SendMessageRequest(message=message)):
                piece = _piece(event)
                if piece and told < MAX_REPLY_CHARS:
                    piece = piece[:MAX_REPLY_CHARS - told]
                    told += len(piece)
                    yield piece
        except ToolFailed:
            raise
        except Exception as exc:
            raise ToolFailed(f"{self.name} could not answer: {_first_line(exc)}") from None

    async def close(self) -> None:
        await self.client.close()
        await self.http.aclose()


def _piece(event: StreamResponse) -> str:
    """New reply text in one event: an artifact chunk, a direct message, or a final task's
    artifacts (sent whole by an agent that does not stream). A failed task is one line."""
    if event.HasField("status_update"):
        status = event.status_update.status
        if status.state in _FAILED:
            said = get_message_text(status.message) if status.HasField("message") else ""
            raise ToolFailed(f"the agent gave up: {clean_text(said)[:200] or 'no reason given'}")
        return ""
    if event.HasField("task") and event.task.status.state in _FAILED:
        raise ToolFailed("the agent gave up on the message")
    if event.HasField("task") and event.task.status.state != TaskState.TASK_STATE_COMPLETED:
        return ""  # the task's start; its text follows in updates
    return visible(get_stream_response_text(event, ""))


def visible(piece: str) -> str:
    """A piece of outside text without what a reader cannot see (zero-width, bidi and other
    format or control characters); its spaces are kept, so pieces join up as they were sent."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", piece) if ch.isprintable() or ch in "\n\t ")


def _first_line(exc: BaseException) -> str:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]
