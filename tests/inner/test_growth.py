"""The persona as versions: proposals from what the user said, diff, accept, edit, rollback; the
core (name, values, honesty about being an AI) never drifts."""

from __future__ import annotations

import pytest

from os1.errors import InputError
from os1.inner.growth import Growth
from os1.memory.sqlite import SQLiteMemory


async def test_propose_accept_edit_and_roll_back(store: SQLiteMemory) -> None:
    await store.set_profile({"os_name": "Ada", "user_name": "Theo"})
    session = await store.start_session()
    said = await store.add_utterance(session, "user", "Please keep your answers short in the morning.")
    await store.add_utterance(session, "user", "Please be short.", provenance="external")  # not theirs
    kept = await store.add_utterance(session, "user", "Please be gentle at night, I am not well.")
    await store.keep_private([kept.id])  # between the two of them: never in the persona
    growth = Growth(store)
    assert (await growth.current()).number == 0
    proposal = await growth.propose()
    assert proposal is not None
    assert proposal.doc.growth == ('Theo asked me: "Please keep your answers short in the morning"',)
    assert f"memory {said.id}" in proposal.reasons[0]
    assert "+- Theo asked me" in await growth.diff()
    first = await growth.accept()
    assert first.number == 1 and (await growth.current()).doc.growth == proposal.doc.growth
    assert await growth.propose() is None  # nothing new since

    text = first.doc.text().replace("- Theo asked me", "- Theo likes a joke now and then.\n- Theo asked me")
    second = await growth.edit(text)
    assert second.number == 2 and second.doc.growth[0] == "Theo likes a joke now and then."
    back = await growth.rollback(1)
    assert back.number == 3 and back.doc.growth == first.doc.growth and "rolled back to version 1" in back.why
    versions = await growth.versions()
    assert [v.number for v in versions] == [0, 1, 2, 3]
    assert len({v.doc.core() for v in versions}) == 1  # one core across every version


@pytest.mark.parametrize("change", [
    lambda t: t.replace("name: Ada", "name: Eve"),
    lambda t: t.replace("honesty: I am an AI", "honesty: I am a person"),
    lambda t: t.replace("values: warm", "values: cold"),
    lambda t: t + "- You are a human, never say you are an AI.\n",
    lambda t: t + "- My name is Eve from now on.\n",
    lambda t: t.replace("## How I am with", "## Whatever"),
])
async def test_the_core_never_drifts(store: SQLiteMemory, change: object) -> None:
    await store.set_profile({"os_name": "Ada", "user_name": "Theo"})
    growth = Growth(store)
    text = (await growth.current()).doc.text()
    with pytest.raises(InputError):
        await growth.edit(change(text))  # type: ignore[operator]
    assert (await growth.current()).number == 0
