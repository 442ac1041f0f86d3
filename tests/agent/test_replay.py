"""A month in the life of a user, replayed turn by turn with its dates (``respond(at=...)``):
facts drawn, changes noticed as they were said, history kept as history."""

from __future__ import annotations

from datetime import datetime

from os1.agent.companion import Companion, TurnSettings
from os1.agent.events import Recalled
from os1.agent.persona import Persona
from os1.memory.sqlite import SQLiteMemory
from os1.testing import ScriptedLLM

MONTH = [  # (day of November 2026, what the user said)
    (1, "Hi! I'm Noor, I'm 27."),
    (1, "I live in Lisbon and work at a small design studio."),
    (2, "My sister Ana lives in Lisbon too."),
    (3, "I have a cat called Tofu."),
    (4, "I drink tea every morning."),
    (5, "My girlfriend is called Jess."),
    (6, "Do I have a dog at the moment?"),
    (7, "If I lived in Paris I'd be happy."),
    (8, "I'm allergic to shellfish, and I'm vegan."),
    (9, "Jess is cooking tonight."),
    (12, "Ana's officially moved to Porto."),
    (15, "The cat is Mochi now."),
    (18, "I started a new job at the museum."),
    (22, "We broke up."),
    (26, "I'm a coffee person now."),
    (28, "Honestly, I'm not vegan anymore."),
]


def day(n: int) -> float:
    return datetime(2026, 11, n, 20, 0).astimezone().timestamp()


async def test_a_dated_month_replayed(store: SQLiteMemory) -> None:
    persona = Persona.from_profile({"user_name": "Noor", "os_name": "Samantha"})
    model = ScriptedLLM()
    companion = Companion(model, store, persona, TurnSettings())
    for n, (date, said) in enumerate(MONTH):
        async for _ in companion.respond(said, at=day(date) + 60 * n):
            pass
        await companion.drain()
    facts = await store.list_memories(kind="fact", limit=-1)
    current = {(f.subject, f.predicate, f.object) for f in facts if f.valid_to is None}
    assert {("user", "name", "Noor"), ("user", "age", "27"), ("user's sister", "lives_in", "Porto"),
            ("user's cat", "name", "Mochi"), ("user", "works_at", "the museum"), ("user", "drink", "coffee"),
            ("user", "relationship", "single"),
            ("user", "allergic_to", "shellfish"), ("user", "lives_in", "Lisbon")} <= current
    past = {(f.subject, f.predicate, f.object): f.valid_to for f in facts if f.valid_to is not None}
    assert past == {("user's sister", "lives_in", "Lisbon"): day(12) + 600,
                    ("user's cat", "name", "Tofu"): day(15) + 660,
                    ("user", "works_at", "a small design studio"): day(18) + 720,
                    ("user's girlfriend", "name", "Jess"): day(22) + 780,
                    ("user", "drink", "tea"): day(26) + 840,
                    ("user", "diet", "vegan"): day(28) + 900}  # ended, and nothing new stored
    assert not any(f.predicate == "has" and "dog" in (f.object or "") for f in facts)  # a question
    said = await store.list_memories(kind="utterance", limit=-1, newest_first=False)
    assert said[0].created_at == day(1) and said[-1].created_at == day(28) + 901  # the reply
    # asked at the end of the month, recall shows where the sister lives now, and what was
    companion.session_id = None
    async for event in companion.respond("Where does my sister live?", at=day(30)):
        if isinstance(event, Recalled):
            recalled = {(m.object, m.valid_to is None) for m in event.memories if m.kind == "fact"}
    assert ("Porto", True) in recalled
    prompt = model.history[-1][0][-1].content
    assert "Monday 30 November 2026" in prompt
    assert "used to be that: The user's sister lives in Lisbon" in prompt
