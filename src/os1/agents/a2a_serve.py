"""os1 as an A2A agent (spec 1.0, the ``a2a-sdk``'s own server parts): an Agent Card at the
well-known path and a JSON-RPC endpoint that answers messages, streamed.

What answers is a ``Replier``: given who is speaking (the conversation's ``context_id``) and what
they said (cleaned outside text), it yields the reply in pieces. The executor here only moves
text between the SDK and the replier: each message becomes a task whose reply arrives as
artifact chunks, then the task completes. A replier that fails fails the task with one line;
nothing else of os1 is reachable through this endpoint.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from importlib.metadata import version
from typing import Any, Protocol

from a2a.helpers import new_task, new_text_message, new_text_part
from a2a.server.agent_execution import AgentExecutor, RequestContext
from a2a.server.events import EventQueue
from a2a.server.request_handlers import DefaultRequestHandler
from a2a.server.routes import create_agent_card_routes, create_jsonrpc_routes
from a2a.server.tasks import InMemoryTaskStore, TaskUpdater
from a2a.types import AgentCapabilities, AgentCard, AgentInterface, AgentSkill, Role, TaskState
from a2a.utils.constants import AGENT_CARD_WELL_KNOWN_PATH

from os1.errors import Os1Error
from os1.outside import clean_text

log = logging.getLogger(__name__)
MAX_INCOMING_CHARS = 8_000  # what another agent may say in one message; the rest is cut
RPC_PATH = "/a2a"


class Replier(Protocol):
    """Answers one message of a conversation with another agent."""

    def reply(self, context_id: str, text: str) -> AsyncIterator[str]:
        """The reply to ``text`` (outside content, already cleaned), in pieces."""
        ...


def agent_card(name: str, base_url: str, description: str) -> AgentCard:
    """os1's card: one skill (conversation), text in and out, JSON-RPC, streaming."""
    return AgentCard(
        name=name, description=description, version=version("os1"),
        supported_interfaces=[AgentInterface(url=base_url.rstrip("/") + RPC_PATH, protocol_binding="JSONRPC",
                                             protocol_version="1.0")],
        capabilities=AgentCapabilities(streaming=True),
        default_input_modes=["text/plain"], default_output_modes=["text/plain"],
        skills=[AgentSkill(id="conversation", name="conversation", tags=["conversation"],
                           description=f"Talk with {name}: it answers as itself, never for its user.")])


class ReplyExecutor(AgentExecutor):
    """Each incoming message: a task, the reply streamed as one artifact, then completed."""

    def __init__(self, replier: Replier) -> None:
        self.replier = replier

    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        task_id, context_id = context.task_id or "", context.context_id or ""
        if context.message is None or not task_id or not context_id:
            return
        if context.current_task is None:
            await event_queue.enqueue_event(new_task(task_id, context_id, TaskState.TASK_STATE_SUBMITTED,
                                                     history=[context.message]))
        updater = TaskUpdater(event_queue, task_id, context_id)
        text = clean_text(context.get_user_input())[:MAX_INCOMING_CHARS]
        if not text:
            said = new_text_message("an empty message: say something in text", role=Role.ROLE_AGENT)
            await updater.reject(said)
            return
        try:
            await self._stream(updater, context_id, text)
        except Os1Error as exc:
            await updater.failed(new_text_message(f"could not answer: {exc}", role=Role.ROLE_AGENT))

    async def _stream(self, updater: TaskUpdater, context_id: str, text: str) -> None:
        artifact = "reply"
        first = True
        async for piece in self.replier.reply(context_id, text):
            await updater.add_artifact([new_text_part(piece)], artifact_id=artifact, name="reply",
                                       append=not first, last_chunk=False)
            first = False
        await updater.add_artifact([new_text_part("")], artifact_id=artifact, name="reply",
                                   append=not first, last_chunk=True)
        await updater.complete()

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        if context.task_id and context.context_id:
            await TaskUpdater(event_queue, context.task_id, context.context_id).cancel()


def a2a_routes(card: AgentCard, replier: Replier, prefix: str = "") -> list[Any]:
    """Starlette routes: the card at ``prefix`` + the well-known path, the endpoint at
    ``prefix`` + ``/a2a``."""
    handler = DefaultRequestHandler(agent_executor=ReplyExecutor(replier), task_store=InMemoryTaskStore(),
                                    agent_card=card)
    return [*create_agent_card_routes(card, card_url=prefix + AGENT_CARD_WELL_KNOWN_PATH),
            *create_jsonrpc_routes(handler, rpc_url=prefix + RPC_PATH)]
