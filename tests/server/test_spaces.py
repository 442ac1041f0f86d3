"""Users' spaces on one worker: opened on first use, the least recently used closed beyond
``server.open_users``, also when several turns end at once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from os1.config import Settings
from os1.server.spaces import Spaces
from os1.testing import ScriptedLLM


async def test_turns_ending_at_once_evict_each_space_once(os1_home: Path) -> None:
    settings = Settings(home=os1_home, memory={"embedder": "hash"},
                        server={"mode": "multi", "open_users": 1})
    spaces = Spaces(settings)
    spaces.provide({"local": ScriptedLLM()})
    await spaces.start()
    ending, staying, all_open = asyncio.Event(), asyncio.Event(), asyncio.Event()
    users = [f"u{n:016x}" for n in range(5)]

    async def turn(user_id: str, until: asyncio.Event) -> None:
        async with spaces.use(user_id) as space:
            await space.companion()
            if spaces.open_count == len(users):
                all_open.set()
            await until.wait()

    try:
        # three turns still running keep the worker over its limit while two others end together;
        # each ending turn evicts while the other's eviction is closing a store
        held = [asyncio.create_task(turn(u, staying)) for u in users[:3]]
        done = [asyncio.create_task(turn(u, ending)) for u in users[3:]]
        await all_open.wait()
        ending.set()
        await asyncio.gather(*done)
        assert spaces.open_count == 3
        staying.set()
        await asyncio.gather(*held)
        assert spaces.open_count == 1
    finally:
        await spaces.close()
