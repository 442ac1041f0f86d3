"""Every call games/ makes to the memory store, in one place: a play session is kept as one
moment (kind ``game``, provenance ``shared``: game text is outside content) whose words say
what happened and whose data holds the saved game and the map. Being a moment, it is recalled,
exported and forgotten like any other memory. Saving again in the same session replaces the
session's earlier save, so each session leaves one moment. A session may carry a token
(``Keeper.session``, kept in the moment's data) so that another server worker can find the
session's latest save and go on with it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from os1.memory.moments import Moment, MomentDraft
from os1.memory.roles import CompanionMemory

KIND = "game"
LOOK_BACK = 200  # saved sessions searched for a game's latest save


@dataclass
class Keeper:
    """One user's kept games, and the moment this session saved last (replaced on each save)."""

    store: CompanionMemory
    last_id: int | None = None
    session: str = ""  # this session's token, kept with each save ("": none)

    async def save(self, game: str, slot: str, text: str, data: dict[str, Any]) -> Moment:
        """Keep this session as a moment; the session's previous save goes once this one is in."""
        key = f"game:{game}:{slot}:{time.time_ns()}"
        moment, _ = await self.store.add_moment(MomentDraft(
            kind=KIND, key=key, text=text, data={"game": game, "slot": slot, **data, **self._token()},
            provenance="shared"))
        if self.last_id is not None and self.last_id != moment.id:
            await self.store.forget(self.last_id)
        self.last_id = moment.id
        return moment

    def _token(self) -> dict[str, str]:
        return {"session": self.session} if self.session else {}

    def continues(self, moment: Moment) -> bool:
        """Whether ``moment`` is a save of this very session (made here or on another worker)."""
        return bool(self.session) and moment.data.get("session") == self.session

    async def latest(self, game: str, slot: str) -> Moment | None:
        """The newest kept session of this game (``slot``: which story, or ``main``)."""
        for moment in await self.store.moments(KIND, limit=LOOK_BACK):
            if moment.data.get("game") == game and moment.data.get("slot") == slot:
                return moment
        return None

    async def sessions(self, game: str, limit: int = 20) -> list[Moment]:
        found = [m for m in await self.store.moments(KIND, limit=LOOK_BACK) if m.data.get("game") == game]
        return found[:limit]
