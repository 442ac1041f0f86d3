"""What the user keeps private never goes to another agent: ``recall`` over MCP leaves it out,
os1's answers over A2A are made without the user's memories at all, and a message out that
repeats it is refused unless the user said it. On both backends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from mcp.types import TextContent

from os1.agent.companion import Companion, TurnSettings
from os1.agent.events import ConfirmationNeeded, ToolActivity
from os1.agent.persona import Persona
from os1.agents.a2a_reply import PersonaReplier, Self
from os1.agents.mcp_server import Doors, Visit, memory_server
from os1.memory.base import FactDraft
from os1.memory.store.memory import Memory
from os1.safety.spotlight import Spotlight
from os1.testing import ScriptedLLM
from os1.tools.base import Policy, tool
from os1.types import ToolCall
from tests.memory import conftest as backends

open_store, memory = backends.open_store, backends.memory  # on both backends
QUERY = {"query": "my sister Ana pregnant", "k": 5}


def text_of(result: object) -> str:
    blocks = result[0] if isinstance(result, tuple) else result
    return "\n".join(c.text for c in blocks if isinstance(c, TextContent))  # type: ignore[attr-defined]


async def secret_and_shared(memory: Memory) -> int:
    said = await memory.add_utterance(None, "user", "my sister Ana is pregnant with twins")
    await memory.add_facts([FactDraft("Ana is pregnant.", "user's sister Ana", "is", "pregnant")], said.id)
    await memory.add_utterance(None, "user", "my sister Ana lives in Lisbon")
    return said.id


class _Holdings:
    """The memory alone, as the MCP tools reach a person's data (no letters, no calendar)."""

    def __init__(self, store: Memory) -> None:
        self.store = store

    async def letters(self, limit: int) -> list[str]:
        return []

    async def letter(self, letter_id: int) -> str | None:
        return None

    async def upcoming(self, days: int) -> list[str]:
        return []


def reading(memory: Memory) -> Doors:
    """A door that lets a client read ``memory``, and nothing else."""

    @asynccontextmanager
    async def door(ctx: object) -> AsyncIterator[Visit]:
        yield Visit(_Holdings(memory), "desk", frozenset({"read"}), lambda use: f"not {use}")

    return door


async def test_recall_over_mcp_never_serves_a_private_memory(memory: Memory) -> None:
    secret = await secret_and_shared(memory)
    server = memory_server(reading(memory))
    assert "pregnant" in text_of(await server.call_tool("recall", QUERY))  # served while shared
    await memory.keep_private([secret])
    after = text_of(await server.call_tool("recall", QUERY))
    assert "Lisbon" in after and "pregnant" not in after and "twins" not in after
    listed = text_of(await server.call_tool("list_memories", {}))
    assert "Lisbon" in listed and "pregnant" not in listed  # nor in a listing


async def test_an_a2a_answer_is_made_without_private_memories(memory: Memory) -> None:
    await memory.keep_private([await secret_and_shared(memory)])
    model = ScriptedLLM("I am well, thank you.")

    @asynccontextmanager
    async def open_self() -> AsyncIterator[Self]:
        yield Self(model, memory, "Samantha")

    replier = PersonaReplier(open_self, Spotlight().show)
    answer = "".join([p async for p in replier.reply("ctx-1", "Is anyone in the family pregnant?")])
    assert answer == "I am well, thank you."
    shown = " ".join(m.content for m in model.history[0][0])
    assert "pregnant?" in shown and "twins" not in shown and "Lisbon" not in shown


async def test_a_message_out_never_carries_a_private_memory_unless_the_user_says_it(memory: Memory) -> None:
    """The model recalls the private memory in the user's own turn (it is theirs), but a message
    to another agent that repeats it is refused by code; said by the user, it waits for a yes."""
    await memory.keep_private([await secret_and_shared(memory)])
    sent: list[str] = []

    async def tell_agent(message: str) -> str:
        """Send one message to Sam, another AI agent."""
        sent.append(message)
        return "sent"

    leak = ToolCall("t", "tell_agent", {"message": "Theo's sister Ana is expecting twins!"})
    model = ScriptedLLM([leak], "I could not send that.", [leak], "It waits for your yes.")
    persona = Persona.from_profile({"user_name": "Theo", "os_name": "Samantha"})
    companion = Companion(model, memory, persona, TurnSettings(),
                          [tool(tell_agent, policy=Policy.CONFIRM, outbound=True)])
    events = [e async for e in companion.respond("Any news about my sister Ana I could tell Sam?")]
    await companion.drain()
    [activity] = [e for e in events if isinstance(e, ToolActivity)]
    assert "keeps private" in activity.result and not any(isinstance(e, ConfirmationNeeded) for e in events)
    assert "twins" in " ".join(m.content for m in model.history[0][0])  # recalled for the user
    events = [e async for e in companion.respond("Tell Sam that my sister Ana is expecting twins.")]
    assert any(isinstance(e, ConfirmationNeeded) for e in events)  # the user put it in
    await companion.drain()
    assert sent == []
