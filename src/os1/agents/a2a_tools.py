"""Talking to another agent as a tool: ``tell_agent`` sends one message to a ``Peer``. Sending is
a side effect that carries the user's words (or what os1 knows of them) out of this machine, so
it is ``Policy.CONFIRM`` and outbound: the guard shows the whole message, with whom it goes to,
and sends it only on the user's yes. The reply is outside content (``Outside``): it taints the
turn and reaches a model only spotlighted, as data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from os1.agents.a2a_peer import Peer
from os1.agents.a2a_source import source_label
from os1.outside import Outside
from os1.tools.base import Policy, Tool

TOOL_NAME = "tell_agent"
MAX_MESSAGE_CHARS = 4_000


def source_of(peer: Peer) -> str:
    """How a memory or a model names where the agent's words came from."""
    return source_label(peer.name, peer.url)


def tell_agent(peer: Peer, hear: Callable[[str], None] | None = None) -> Tool:
    """The tool that sends one message to ``peer``; ``hear`` sees each piece of its reply as it
    arrives (to show it live)."""

    async def run(message: str) -> Outside:
        pieces: list[str] = []
        async for piece in peer.say(message[:MAX_MESSAGE_CHARS]):
            pieces.append(piece)
            if hear is not None:
                hear(piece)
        return Outside(((source_of(peer), "".join(pieces) or "(no reply)"),),
                       note=f"{peer.name} answered")

    async def preview(arguments: dict[str, Any]) -> str:
        text = str(arguments.get("message", ""))[:MAX_MESSAGE_CHARS]
        return f"Send to {peer.name} ({peer.url}), an agent outside this machine's control:\n\n{text}"

    return Tool(TOOL_NAME, f"Send one message to {peer.name}, another AI agent, and read its answer.",
                {"type": "object", "properties": {"message": {"type": "string"}}, "required": ["message"]},
                run, Policy.CONFIRM, outbound=True, preview=preview)


def ask_agent(peers: dict[str, str], *, timeout_s: float = 120.0) -> Tool:
    """``ask_agent(agent, message)``: one message to an agent the user named in the settings
    (``agents.a2a_peers``), for "ask Sam what she thinks about this". Each agent's conversation
    continues across calls; its card is read at each call, so an agent that moved is found."""
    contexts: dict[str, str] = {}

    async def run(agent: str, message: str) -> Outside:
        url = peers[agent]
        peer = await Peer.reach(url, timeout_s=timeout_s)
        try:
            peer.context_id = contexts.setdefault(agent, peer.context_id)
            pieces = [piece async for piece in peer.say(message[:MAX_MESSAGE_CHARS])]
        finally:
            await peer.close()
        return Outside(((f"A2A agent {agent} ({peer.name}) at {url}", "".join(pieces) or "(no reply)"),),
                       note=f"{agent} answered")

    async def preview(arguments: dict[str, Any]) -> str:
        agent = str(arguments.get("agent", ""))
        text = str(arguments.get("message", ""))[:MAX_MESSAGE_CHARS]
        where = peers.get(agent, "unknown")
        return f"Send to {agent} ({where}), an agent outside this machine's control:\n\n{text}"

    names = sorted(peers)
    return Tool("ask_agent", "Send one message to another AI agent the user knows by name ("
                + ", ".join(names) + ") and read its answer, e.g. to ask it what it thinks.",
                {"type": "object", "properties": {"agent": {"type": "string", "enum": names},
                                                  "message": {"type": "string"}},
                 "required": ["agent", "message"]},
                run, Policy.CONFIRM, outbound=True, preview=preview)
