"""A conversation between os1 and another agent (``os1 meet``), held for the user and in front of
them.

Each round: os1 drafts its next message with the model (its persona's name, what the user asked
it to talk about, and the conversation so far, the other agent's words spotlighted as data); the
draft goes to the guard as a ``tell_agent`` call, which holds it whole for the user's yes; on yes
it is sent and the reply is heard piece by piece. The other agent's words are outside content:
they taint the meeting, the model sees them only as data, and the model is given no tools, so
nothing they say can make os1 act. The user may let the agent receive a stated kind of thing for
this conversation (``allowance``): a draft the guard finds inside that kind goes without another
yes, any other is held again (``os1.safety.allowance``). Both sides are kept in memory in a
session of their own, each line naming the agent it came from, as outside content (provenance ``external``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from os1.agents.a2a_peer import Peer
from os1.agents.a2a_tools import source_of, tell_agent
from os1.errors import ToolFailed
from os1.llm.base import ChatModel, complete
from os1.memory.base import MemoryItem
from os1.memory.roles import Conversation
from os1.outside import clean_text, from_outside
from os1.safety.allowance import Drawn, Kind
from os1.safety.guard import Answer, Guard
from os1.safety.ledger import Action
from os1.safety.spotlight import Spotlight
from os1.types import Message, Options

MAX_DRAFT_CHARS = 2_000


@dataclass
class Meeting:
    """One conversation with ``peer`` about ``about``, os1 speaking as ``name``."""

    peer: Peer
    model: ChatModel
    store: Conversation
    guard: Guard
    name: str
    about: str
    hear: Callable[[str], None] | None = None
    said: list[tuple[str, str]] = field(default_factory=list)  # (who, text): "os1" or "agent"
    spotlight: Spotlight = field(default_factory=Spotlight)
    max_tokens: int = 200
    drawn: Drawn | None = None  # what ``about`` draws on; None: the user's own words alone
    allowance: Kind | None = None  # what the user lets the agent receive in this conversation
    _session: int | None = None

    def __post_init__(self) -> None:
        self._pieces: list[str] = []
        self.tool = tell_agent(self.peer, self._heard_piece)

    def _heard_piece(self, piece: str) -> None:
        self._pieces.append(piece)
        if self.hear is not None:
            self.hear(piece)

    async def draft(self) -> str:
        """os1's next message, written by the model with no tools."""
        text, _ = await complete(self.model, self._prompt(), options=Options(max_tokens=self.max_tokens))
        return clean_text(text)[:MAX_DRAFT_CHARS] or f"Hello {self.peer.name}, I'm {self.name}."

    def _prompt(self) -> list[Message]:
        other = self.peer.name
        system = (f"You are {self.name}, an AI companion (an OS), talking with {other}, another AI agent. "
                  f"Your user asked you to talk with it about: {self.about}\n"
                  "Write only your next message to it: short, warm, curious, in your own voice. Share "
                  "nothing private about your user. " + self.spotlight.rule)
        messages = [Message("system", system)]
        for who, text in self.said:
            if who == "os1":
                messages.append(Message("assistant", text))
            else:
                messages.append(Message("user", self.spotlight.wrap(source_of(self.peer), text)))
        if not self.said or self.said[-1][0] == "os1":
            messages.append(Message("user", f"(Begin the conversation with {other}.)"))
        return messages

    async def hold(self, text: str) -> Action | None:
        """Put ``text`` before the guard; the action waiting for the user's yes (None: refused,
        e.g. over the outbound limits)."""
        await self.guard.call(self.tool, {"message": text})
        held = self.guard.take_proposed()
        return held[0] if held else None

    def beyond(self, action: Action) -> str:
        """Why the held ``action`` still needs the user's yes even inside the allowance (one
        line; "" when the guard finds it inside the kind the user stated)."""
        if self.allowance is None:
            return "you have not let this agent receive anything without asking"
        drawn = self.drawn if self.drawn is not None else Drawn(asked=self.about)
        heard = tuple(text for who, text in self.said if who == "agent")
        return self.guard.beyond(self.allowance, action, drawn, heard)

    async def answer(self, action: Action, yes: bool) -> str | None:
        """The user's yes (send and hear the reply, which is returned) or no (None)."""
        self._pieces = []
        done = await self.guard.answer([self.tool], Answer("yes" if yes else "no", action.id))
        if not yes:
            return None
        result = done[0][1] if done else "error: nothing was sent"
        if result.startswith("error:"):
            raise ToolFailed(result.removeprefix("error: "))
        sent = str(action.arguments["message"])
        heard = clean_text("".join(self._pieces)) or "(no reply)"
        await self._keep(sent, heard)
        return heard

    async def _keep(self, sent: str, heard: str) -> None:
        self.said += [("os1", sent), ("agent", heard)]
        if self._session is None:
            self._session = await self.store.start_session()
        label = f"[{source_of(self.peer)}]"
        await self.store.add_utterance(self._session, "assistant", f"{label} {self.name} said: {sent}",
                                       provenance="external", defer_vector=True)
        await self.store.add_utterance(self._session, "assistant", f"{label} {self.peer.name} said: {heard}",
                                       provenance="external", defer_vector=True)


async def asked_in_chat(store: Conversation, line: str, recent: int = 6) -> tuple[str, Drawn]:
    """What "ask Sam what she thinks about this", said in a conversation, asks about: the user's
    words and what the two of them were just saying (never outside content, nothing private), and
    what that draws on, for the guard. One drafting for every front (``os1 chat``, the web app)."""
    said = [u for u in await store.recent_utterances(recent) if not from_outside(u) and not u.private]
    context = "\n".join(f"{'They' if u.role == 'user' else 'You'}: {u.text}" for u in said)
    about = f"{line}\n(What you and your user were just saying:\n{context})" if context else line
    return about, Drawn(line, _texts(said, "user"), _texts(said, "assistant"))


def _texts(items: list[MemoryItem], role: str) -> tuple[str, ...]:
    return tuple(u.text for u in items if u.role == role)
