"""Slash commands inside ``os1 chat``."""

from __future__ import annotations

from os1.agent.companion import Companion
from os1.cli.io import console
from os1.cli.render import memory_table

HELP = """[bold]/memories[/] [QUERY]   list recent memories, or search them
[bold]/forget[/] ID           forget one memory (and the facts drawn from it)
[bold]/forget last[/]         forget your last message and the reply to it
[bold]/help[/]                this list
[bold]/quit[/]                leave (Ctrl-D works too)"""


class SlashCommands:
    def __init__(self, companion: Companion) -> None:
        self.companion = companion

    async def run(self, line: str) -> bool:
        """Run one command; False means leave the chat."""
        name, _, arg = line[1:].strip().partition(" ")
        arg = arg.strip()
        if name in ("quit", "exit", "q"):
            return False
        if name == "memories":
            await self._memories(arg)
        elif name == "forget":
            await self._forget(arg)
        else:
            console.print(HELP)
        return True

    async def _memories(self, query: str) -> None:
        store = self.companion.store
        if query:
            items = [h.item for h in await store.search(query, k=10)]
        else:
            items = await store.list_memories(limit=15)
        console.print(memory_table(items) if items else "[dim]No memories yet.[/]")

    async def _forget(self, arg: str) -> None:
        store = self.companion.store
        if arg == "last":  # your last message and everything after it
            recent = await store.recent_utterances(6)
            users = [i for i, m in enumerate(recent) if m.role == "user"]
            ids = [m.id for m in recent[users[-1]:]] if users else []
        elif arg.isdigit():
            ids = [int(arg)]
        else:
            console.print("usage: /forget ID | /forget last")
            return
        gone = [i for i in ids if await store.forget(i)]
        if gone:
            await store.compact()  # so the text is gone from the file and its log too
        console.print(f"[dim]Forgot {', '.join(map(str, gone)) or 'nothing'}.[/]")
