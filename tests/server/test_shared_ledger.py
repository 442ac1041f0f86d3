"""Held actions in PostgreSQL, as two workers of a site hold them: an action one worker held
for a person's yes is shown by the other, and confirmed on both at once it runs exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from os1.safety.guard import Answer, Guard
from os1.safety.ledger import ActionLedger
from os1.safety.ledger_postgres import PostgresRows
from os1.testing.servers import postgres
from os1.tools.base import Policy, Tool, tool

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def dsn() -> Iterator[str]:
    with postgres() as found:
        yield found


def _sender(sent: list[str]) -> Tool:
    async def send_message(text: str) -> str:
        """Send a message."""
        await asyncio.sleep(0)  # a real send awaits: the other worker's yes may arrive meanwhile
        sent.append(text)
        return "sent"

    return tool(send_message, policy=Policy.CONFIRM, outbound=True)


async def test_a_yes_through_either_worker_runs_the_held_action_once(dsn: str) -> None:
    one, two = PostgresRows.open(dsn), PostgresRows.open(dsn)  # each worker has its own pool
    try:
        first, second = Guard(ActionLedger(rows=one, owner="u1")), Guard(ActionLedger(rows=two, owner="u1"))
        stranger = Guard(ActionLedger(rows=two, owner="u2"))
        sent: list[str] = []
        send = _sender(sent)
        held = await first.call(send, {"text": "See you at eight"})
        assert held.startswith("not done yet") and sent == []
        waiting = second.waiting()
        assert [a.tool for a in waiting] == ["send_message"] and stranger.waiting() == []
        yes = Answer("yes", waiting[0].id)
        results = await asyncio.gather(second.answer([send], yes), first.answer([send], yes))
        assert sent == ["See you at eight"]
        assert sum(r == "sent" for done in results for _, r in done) == 1
        assert [a.status for a in first.recent()] == ["done"] and second.waiting() == []
        assert stranger.recent() == []
    finally:
        one.close()
        two.close()


async def test_a_new_turn_on_one_worker_lapses_what_the_other_held(dsn: str) -> None:
    one, two = PostgresRows.open(dsn), PostgresRows.open(dsn)
    try:
        first, second = Guard(ActionLedger(rows=one, owner="u3")), Guard(ActionLedger(rows=two, owner="u3"))
        sent: list[str] = []
        await first.call(_sender(sent), {"text": "hello"})
        second.begin_turn("Actually, never mind.")
        assert first.waiting() == [] and [a.status for a in first.recent()] == ["expired"]
        assert await second.answer([_sender(sent)], Answer("yes", None)) == [] and sent == []
    finally:
        one.close()
        two.close()
