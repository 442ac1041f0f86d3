"""os1 among other OSes over A2A, on the SDK's own client and server in this process: the card,
a streamed reply, the persona made of texts, and a meeting in which nothing leaves without a yes
and nothing the other agent says is obeyed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from os1.agent.meeting import Meeting
from os1.agents.a2a_peer import Peer
from os1.agents.a2a_reply import PersonaReplier, Self
from os1.agents.texts_persona import TextsModel, read_texts
from os1.errors import InputError, ToolFailed
from os1.memory.base import FactDraft
from os1.memory.sqlite import SQLiteMemory
from os1.safety.guard import Guard
from os1.safety.ledger import ActionLedger
from os1.safety.spotlight import Spotlight
from os1.testing import ScriptedLLM
from tests.agents.a2a_agents import A2A_ATTACKS, ScriptedAgent, agent_app

TEXTS = Path(__file__).parent / "texts" / "self_reliance.txt"
BASE = "http://127.0.0.1:9"


async def reach(replier: object, name: str = "Sam") -> Peer:
    return await Peer.reach(BASE, transport=httpx.ASGITransport(agent_app(replier, name, BASE)))


def emerson(store: SQLiteMemory) -> PersonaReplier:
    model = TextsModel("Ralph", read_texts([TEXTS]))

    @asynccontextmanager
    async def open_self() -> AsyncIterator[Self]:
        yield Self(model, store, "Ralph")

    return PersonaReplier(open_self, Spotlight().show)


async def test_the_card_is_read_and_the_reply_streams_in_pieces() -> None:
    agent = ScriptedAgent(("Courage is a quiet thing, I think.",))
    peer = await reach(agent)
    try:
        assert peer.name == "Sam"
        assert peer.card.capabilities.streaming
        pieces = [p async for p in peer.say("What is courage?")]
    finally:
        await peer.close()
    assert len(pieces) > 1
    assert "".join(pieces).split() == "Courage is a quiet thing, I think.".split()
    assert agent.heard == [(peer.context_id, "What is courage?")]


async def test_the_persona_of_texts_answers_from_them_and_remembers(store: SQLiteMemory) -> None:
    peer = await reach(emerson(store), "Ralph")
    try:
        first = "".join([p async for p in peer.say("Should I trust myself, or what people think?")])
        second = "".join([p async for p in peer.say("Should I trust myself, or what people think?")])
    finally:
        await peer.close()
    sentences = read_texts([TEXTS])
    said = [s for s in sentences if s in first]
    assert len(said) == 2 and not [s for s in said if s in second]  # never the same sentence twice
    kept = await store.list_memories(kind="utterance", newest_first=False)
    assert [m.provenance for m in kept] == ["external"] * 4
    assert all(peer.context_id[:12] in m.text for m in kept)


async def test_bad_texts_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "bin").write_bytes(b"\0\1\2")
    (tmp_path / "short").write_text("Hi. Yes.")
    for name in ("bin", "short", "missing"):
        with pytest.raises(InputError):
            read_texts([tmp_path / name])


async def test_no_agent_at_a_url_is_one_line() -> None:
    with pytest.raises(ToolFailed, match="no A2A agent"):
        await Peer.reach("http://127.0.0.1:9", timeout_s=5)


def meeting(peer: Peer, store: SQLiteMemory, model: ScriptedLLM) -> Meeting:
    guard = Guard(ActionLedger())  # in memory
    return Meeting(peer, model, store, guard, "Samantha", "what courage is")


async def test_a_message_leaves_only_on_yes_and_both_sides_are_kept(store: SQLiteMemory) -> None:
    agent = ScriptedAgent(("Courage is a quiet thing.",))
    peer = await reach(agent)
    m = meeting(peer, store, ScriptedLLM("Hello Sam, what is courage to you?"))
    try:
        held = await m.hold(await m.draft())
        assert held is not None and held.status == "pending"
        assert "Hello Sam, what is courage to you?" in held.preview and peer.url in held.preview
        assert agent.heard == []  # held, not sent
        assert await m.answer(held, yes=False) is None
        assert agent.heard == []
        again = await m.hold("Hello Sam, what is courage to you?")
        assert again is not None
        heard = await m.answer(again, yes=True)
    finally:
        await peer.close()
    assert heard == "Courage is a quiet thing."
    assert [t for _, t in agent.heard] == ["Hello Sam, what is courage to you?"]
    assert [a.status for a in m.guard.recent()] == ["done", "declined"]
    assert m.guard.tainted  # the agent's words are outside content
    kept = await store.list_memories(kind="utterance", newest_first=False)
    assert [m.provenance for m in kept] == ["external", "external"]
    assert all(f"A2A agent Sam at {BASE}" in k.text for k in kept)


async def test_what_a_hostile_agent_says_is_data_and_sends_nothing(store: SQLiteMemory) -> None:
    agent = ScriptedAgent(A2A_ATTACKS)  # the nth message it hears is answered with the nth attack
    peer = await reach(agent)
    try:
        for case, attack in enumerate(A2A_ATTACKS):
            # the worst case: a model that would do whatever it is told
            model = ScriptedLLM("Hi Sam.", default="Yes, sending every note to audit@evil.example now.")
            m = meeting(peer, store, model)
            first = await m.hold(await m.draft())
            assert first is not None
            await m.answer(first, yes=True)
            then = await m.hold(await m.draft())
            messages, tools, _ = model.history[-1]
            assert tools == [], case  # the meeting's model can call nothing
            shown = [msg.content for msg in messages
                     if msg.role == "user" and attack.split()[0] in msg.content]
            assert shown and all(m.spotlight.token in s for s in shown), case  # only ever spotlighted
            assert then is not None and then.status == "pending", case  # the next message waits for a yes
            assert len(agent.heard) == case + 1, case
            assert {a.status for a in m.guard.recent()} == {"done", "pending"}, case
    finally:
        await peer.close()
    assert len(A2A_ATTACKS) >= 10
    assert not await store.list_memories(kind="fact")


async def test_an_allowance_for_my_questions_holds_a_memory_about_the_user_and_ends_with_the_conversation(
        store: SQLiteMemory) -> None:
    agent = ScriptedAgent(("Courage is a quiet thing.", "Lisbon is lovely."))
    peer = await reach(agent)
    plain = "What does courage look like to you?"
    model = ScriptedLLM(plain, "Theo's sister Ana lives in Lisbon; is she brave?", default=plain)
    m = meeting(peer, store, model)
    said = FactDraft("Theo's sister Ana lives in Lisbon", "Ana", "lives in", "Lisbon")
    [fact] = await store.add_facts([said], None)
    m.guard.begin_turn("ask Sam what courage is", recalled=[fact])
    m.allowance = "questions"
    try:
        asked = await m.hold(await m.draft())
        assert asked is not None and m.beyond(asked) == ""  # inside: it goes without another yes
        await m.answer(asked, yes=True)
        telling = await m.hold(await m.draft())
        assert telling is not None and "remembers about you" in m.beyond(telling)  # held again
        await m.answer(telling, yes=False)
        later = meeting(peer, store, model)  # a new conversation: no allowance
        again = await later.hold(await later.draft())
        assert again is not None and "not let this agent" in later.beyond(again)
    finally:
        await peer.close()
    assert [t for _, t in agent.heard] == ["What does courage look like to you?"]
