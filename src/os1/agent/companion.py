"""The turn loop. One turn: store what the user said, recall, assemble the context, stream the
model (running any tool calls it makes), store the reply, then learn facts from the user's words.

The user's words are committed before the model runs, and the reply as it streams
(``os1.agent.kept``), so a crash, even a killed process, loses at most the last half second of the
reply in flight, and what was said of it stays marked ``interrupted``; a cancelled reply (Ctrl-C)
is kept as far as it was said, marked ``interrupted`` too. Learning (fact extraction, the reply's
vector) runs after the reply, as a background task.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from dataclasses import dataclass, replace

from os1.agent.context import build_messages, fit_text, pack_memories, sticky_history
from os1.agent.events import ConfirmationNeeded, Recalled, ToolActivity, TurnDone, TurnEvent
from os1.agent.keeping import private_ask
from os1.agent.kept import KeptReply
from os1.agent.pasted import SharedPost, SharePost, is_post, without_images
from os1.agent.persona import Persona
from os1.errors import InputError, Os1Error
from os1.inner.life import InnerLife
from os1.llm.base import ChatModel, complete
from os1.memory.base import MemoryItem, Provenance, Turn
from os1.memory.embedding.priority import background
from os1.memory.extract import extract_llm, extract_rules, is_exclusive
from os1.memory.roles import CompanionMemory
from os1.safety.guard import Answer, Guard
from os1.tools.base import Tool, run_tool
from os1.types import Message, Options, TextDelta, ToolCall, ToolCallEvent

log = logging.getLogger(__name__)
MAX_TOOL_STEPS = 3
LAST_TIME_TURNS = 3  # the first turns of a conversation are told how the last one went
SUMMARY_EVERY = 4  # turns between rebuilds of the conversation's summary as it goes on
HISTORY_TURNS = 24  # at most this many recent utterances in the prompt (and fewer tokens than history_tokens)
BACKFILL_PER_TURN = 256  # memories given missing sentence vectors by one background step


@dataclass(frozen=True)
class Foreseen:
    """The memories recalled for a prompt read ahead (``foresee``), for the turn it foresaw."""

    said: str
    history: tuple[int, ...]  # the ids of the conversation it showed
    memories: list[MemoryItem]

    def matches(self, said: str, history: Sequence[MemoryItem]) -> bool:
        """Whether a turn of ``said`` after ``history`` is the one foreseen."""
        return said == self.said and tuple(t.id for t in history) == self.history


@dataclass(frozen=True)
class TurnSettings:
    """The knobs of a turn (from ``Settings`` at the entry point)."""

    max_input_chars: int = 200_000  # a long text is kept whole, and windowed for the prompt
    input_tokens: int = 1200  # of the user's words in the prompt (a 4096-token window holds the rest)
    memory_budget_tokens: int = 400
    history_tokens: int = 600
    search_k: int = 8
    half_life_days: float = 30.0
    max_tokens: int = 256
    temperature: float = 0.7
    rule_extraction: bool = True
    llm_extraction: bool = False
    prewarm: bool = False  # after each turn, have a local model read the next prompt's prefix


def check_input(text: str, limit: int) -> str:
    """The user's text, or an InputError saying in one line why it cannot be used."""
    if not text.strip():
        raise InputError("nothing to say: the message is empty")
    if len(text) > limit:
        raise InputError(f"the message is too long ({len(text):,} characters; the limit is {limit:,})")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("the message is not valid UTF-8 text") from None
    if "\x00" in text:
        raise InputError("the message contains binary data (NUL bytes)")
    return text.strip()


class Companion:
    """One user's companion: a model, their memory, their persona and tools."""

    def __init__(self, model: ChatModel, store: CompanionMemory, persona: Persona,
                 settings: TurnSettings, tools: Sequence[Tool] = (), guard: Guard | None = None,
                 share_post: SharePost | None = None, inner: InnerLife | None = None) -> None:
        self.model = model
        self.store = store
        self.persona = persona
        self.settings = settings
        self.tools = list(tools)
        self.guard = guard or Guard()  # tool policies, enforced whatever the model says
        self.share_post = share_post  # a pasted post is shared as a post, when there is a way to
        self.inner = inner  # the mood and the journal, moved in the background step
        self.session_id: int | None = None
        self._history_floor = 0
        self._turns = 0  # turns answered in this conversation (session)
        self._foreseen: Foreseen | None = None  # the memories a prompt read ahead showed
        self._background: set[asyncio.Task[None]] = set()
        self.last_turn: TurnDone | None = None  # how the latest turn was saved, even if cancelled

    async def respond(self, text: str, *, at: float | None = None,
                      outside: str = "") -> AsyncGenerator[TurnEvent, None]:
        """Run one turn, yielding what it recalled, the reply as it streams, and the end. The
        turn happens ``at`` that time (a Unix time; default: the clock), as when a life is
        replayed with its dates: its words, reply and facts are stored as of then, and recall
        and the prompt's clock see that moment. ``outside``: what is in front of the two of
        them (a game's screen), shown with the turn as outside content (it taints the turn)."""
        text = check_input(text, self.settings.max_input_chars)
        if self.session_id is None:
            self.session_id = await self.store.start_session(at)
        if self.share_post is not None and is_post(text):
            try:
                shared = await self.share_post(text)
            except InputError:  # not a post after all: kept as a long text like any other
                shared = None
            if shared is not None:
                async for event in self._pasted_post(shared):
                    yield event
                return
        answer = self.guard.answer_in(text)  # a yes or no to what waits: carried out by code
        if answer is not None:
            async for event in self._answer(text, answer, at):
                yield event
            return
        ask = private_ask(text)  # "keep that between us": read by code, like a yes or no
        if ask is not None and ask.alone:
            async for event in self._keep_private(text, at):
                yield event
            return
        text = without_images(text)  # pictures written out as base64 are not words
        said = fit_text(text, self.settings.input_tokens)  # what of it the prompt can hold
        turn: Turn | None = None
        if said is text:
            turn = await self.store.add_turn(self.session_id, text, at)  # words and sentences: one pass
            user = turn.item
        else:  # a long text is kept whole; its vectors come after the reply, off its path
            user = await self.store.add_utterance(self.session_id, "user", text, defer_vector=True,
                                                  created_at=at)
        if ask is not None:  # "Ana is pregnant, keep that between us": these words, and the reply
            await self.store.keep_private([user.id])
        history, self._history_floor = await self._window(before_id=user.id)
        foreseen, self._foreseen = self._foreseen, None
        if foreseen is not None and foreseen.matches(said, history) and at is None:
            memories = foreseen.memories  # the prompt the model read ahead, to the letter
        else:
            memories = await self._recall(said, turn, [user.id, *(t.id for t in history)], at)
        # the guard reads what this turn holds: the user's words, and what came from outside
        # (mail, shared posts and pages, earlier replies that retold them)
        self.guard.begin_turn(said, history, memories, (outside,) if outside else ())
        yield Recalled(tuple(memories))
        self._turns += 1
        messages = build_messages(self.persona, memories, history, said,
                                  last_time=await self._last_time(self._turns), at=at, outside=outside)
        reply = KeptReply(self.store, self.session_id, None if at is None else at + 1,
                          lambda: self.guard.tainted)
        finished = False
        try:
            async for event in self._generate(messages, reply):
                yield event
            finished = True
        finally:
            # shielded: a Ctrl-C arriving during the save must not store the reply twice
            reply_id = await asyncio.shield(reply.end(interrupted=not finished))
            done = TurnDone(user.id, reply_id, reply.text, not finished)
            if ask is not None and done.reply_id is not None:
                await asyncio.shield(self.store.keep_private([done.reply_id]))
            self.last_turn = done
        self._learn(user)
        yield done

    async def _recall(self, said: str, turn: Turn | None, exclude: list[int],
                      at: float | None) -> list[MemoryItem]:
        """The memories a turn of ``said`` shows (``turn``: its words as stored, with their
        vector), none of those in ``exclude`` (the words themselves, the history shown)."""
        hits = await self.store.search(said, turn=turn, k=self.settings.search_k, exclude=exclude,
                                       half_life_days=self.settings.half_life_days, now=at,
                                       include_superseded=True)  # history, shown as history
        return pack_memories(hits, self.settings.memory_budget_tokens)

    async def _last_time(self, turns: int) -> str:
        """The summary of the previous conversation, for this conversation's first few turns
        (so os1 can pick up where it left off: ``turns`` counts this one); empty later on, or
        when there was none."""
        if turns > LAST_TIME_TURNS:
            return ""
        earlier = [s for s in await self.store.summaries(limit=2) if s.session_id != self.session_id]
        return earlier[0].text if earlier else ""

    async def _window(self, before_id: int | None = None) -> tuple[list[MemoryItem], int]:
        """The conversation a turn's prompt shows, and the floor it leaves: one rule for the turn
        and the prewarm, so that the prewarm reads what the turn will start with."""
        recent = await self.store.recent_utterances(2 * HISTORY_TURNS, before_id=before_id)
        return sticky_history(recent, self._history_floor, self.settings.history_tokens, HISTORY_TURNS)

    async def warm_up(self) -> None:
        """Have the model read the start of the next turn's prompt (persona, recent
        conversation, the time and the memories' heading) ahead of time. A local model keeps it
        in its prefix cache, so the first reply starts as quickly as later ones; voice calls
        this while the user is still silent."""
        history, _ = await self._window()
        messages = build_messages(self.persona, [], history, "", memories_heading=True)
        await complete(self.model, messages, tools=[t.spec for t in self.tools],
                       options=Options(max_tokens=1))

    async def foresee(self, text: str) -> None:
        """Have the model read ahead the prompt a turn of ``text`` would send: its history, its
        memories and the words, built as ``respond`` builds them, with nothing stored. Voice
        calls this when the user has paused on what reads as a finished sentence and the turn
        is about to end; a local model keeps what it read in its prefix cache, so the turn's
        reply starts without reading it again (a turn that goes otherwise reads its own). Only
        where the prompt's start is read ahead too (``prewarm``: a local model); a server
        elsewhere would be sent the prompt twice."""
        text = check_input(text, self.settings.max_input_chars)
        if not self.settings.prewarm:
            return
        if (self.share_post is not None and is_post(text) or self.guard.answer_in(text) is not None
                or private_ask(text) is not None):
            return  # a turn of its own kind, whose prompt (if any) is not this one
        said = fit_text(without_images(text), self.settings.input_tokens)
        history, _ = await self._window()
        memories = await self._recall(said, None, [t.id for t in history], None)
        # the turn shows these same memories: found again once its words are stored, they could
        # rank otherwise (the words become a neighbour of the reply before them)
        self._foreseen = Foreseen(said, tuple(t.id for t in history), memories)
        messages = build_messages(self.persona, memories, history, said,
                                  last_time=await self._last_time(self._turns + 1))
        await complete(self.model, messages, tools=[t.spec for t in self.tools],
                       options=Options(max_tokens=1))

    async def _generate(self, messages: list[Message], said: KeptReply) -> AsyncIterator[TurnEvent]:
        options = Options(max_tokens=self.settings.max_tokens, temperature=self.settings.temperature)
        specs = [t.spec for t in self.tools]
        for step in range(MAX_TOOL_STEPS):
            offered = specs if step < MAX_TOOL_STEPS - 1 else []  # the last step answers in words
            calls: list[ToolCall] = []
            async for event in self.model.stream(messages, tools=offered, options=options):
                if isinstance(event, TextDelta):
                    await said.add(event.text)  # kept before it is shown
                    yield event
                elif isinstance(event, ToolCallEvent) and offered:
                    calls.append(event.call)
            if not calls:
                return
            messages.append(Message("assistant", "", tool_calls=tuple(calls)))
            for call in calls:
                result = await run_tool(self.tools, call, self.guard)
                yield ToolActivity(call, result)
                for action in self.guard.take_proposed():
                    yield ConfirmationNeeded(action.id, action.tool, action.preview, action.reasons,
                                             action.foreign)
                messages.append(Message("tool", result, tool_call_id=call.id, name=call.name))

    async def _pasted_post(self, shared: SharedPost) -> AsyncIterator[TurnEvent]:
        """A pasted post, shared as a post (kept as a moment with its pictures): the turn keeps
        a line saying so, not the post's text, nor its pictures as base64."""
        user = await self.store.add_utterance(self.session_id, "user", f"(I shared {shared.what})",
                                              learn=False)
        yield Recalled(())
        self._turns += 1
        reply = shared.said or f"I have kept {shared.what}."
        yield TextDelta(reply)
        saved = await self.store.add_utterance(self.session_id, "assistant", reply,
                                               defer_vector=True, provenance="external")
        done = TurnDone(user.id, saved.id, reply, False)
        self.last_turn = done
        yield done

    async def _answer(self, text: str, answer: Answer, at: float | None) -> AsyncIterator[TurnEvent]:
        """The user's yes or no to waiting actions, carried out by code: the model is not asked,
        so nothing it read can answer for the user."""
        user = await self.store.add_utterance(self.session_id, "user", text, learn=False,
                                              created_at=at)
        yield Recalled(())
        lines: list[str] = []
        for action, result in await self.guard.answer(self.tools, answer):
            yield ToolActivity(ToolCall(f"action-{action.id}", action.tool, action.arguments), result)
            lines.append(_outcome(action.id, action.tool, result))
        reply = "\n".join(lines) or "Nothing was waiting for that answer."
        yield TextDelta(reply)
        yield await self._save_reply(user, reply, interrupted=False, at=at)

    async def _keep_private(self, text: str, at: float | None) -> AsyncIterator[TurnEvent]:
        """"Keep that between us" on its own: what the user said just before in this
        conversation, os1's reply to it and these words become private (with the facts drawn
        from them), by code; the model is not asked."""
        user = await self.store.add_utterance(self.session_id, "user", text, learn=False,
                                              created_at=at)
        earlier = [m for m in await self.store.recent_utterances(8, before_id=user.id)
                   if m.session_id == self.session_id]
        said = [m for m in earlier if m.role == "user"][-1:]
        kept = [m.id for m in earlier if said and m.id >= said[0].id]
        yield Recalled(())
        reply = ("I'll keep that between us." if said else
                 "There is nothing before this to keep; say it, then ask me to keep it between us.")
        yield TextDelta(reply)
        done = await self._save_reply(user, reply, interrupted=False, at=at)
        await self.store.keep_private([*kept, user.id, *([done.reply_id] if done.reply_id else [])])
        self.last_turn = done
        yield done

    async def _save_reply(self, user: MemoryItem, reply: str, *, interrupted: bool,
                          at: float | None = None) -> TurnDone:
        reply_id = None
        if reply.strip():
            status = "interrupted" if interrupted else "complete"
            # a reply written after reading outside content is remembered as outside content
            provenance: Provenance | None = "external" if self.guard.tainted else None
            saved = await self.store.add_utterance(self.session_id, "assistant", reply.strip(),
                                                   status=status, defer_vector=True,
                                                   provenance=provenance,
                                                   created_at=None if at is None else at + 1)
            reply_id = saved.id
        return TurnDone(user.id, reply_id, reply, interrupted)

    def _learn(self, user: MemoryItem) -> None:
        """Extract facts from the user's words after the reply, off the reply's path."""
        task = asyncio.create_task(self._extract(user, self._turns))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _extract(self, user: MemoryItem, turn: int) -> None:
        """Learn from this turn (the ``turn``-th of the conversation), and from any earlier one a
        crash kept from being learned; then, unless a later turn has begun (its own step will),
        have a local model read the next prompt's start."""
        try:
            with background():  # any user's next turn embeds before this
                await self._catch_up()
                await self._live(user)
                # after the mood moved (it is part of the prompt's start); a stale prewarm
                # would only keep the model busy when the next turn wants it
                if self.settings.prewarm and turn == self._turns:
                    await self.warm_up()
        except Exception as exc:  # the turn is already stored: the store is retried next turn
            log.warning("learning failed after memory %s: %s", user.id, exc)

    async def _catch_up(self) -> None:
        """The background step after a turn: vectors, summaries, facts."""
        # the reply's vectors, deferred off the reply path, and a bounded share of older
        # memories' sentence vectors still missing (as after an upgrade)
        await self.store.embed_missing(pieces_at_most=BACKFILL_PER_TURN)
        if self._turns == 1:  # the last conversation's summary, with its final turns
            await self.store.summarize()
        elif self.session_id is not None and self._turns % SUMMARY_EVERY == 0:
            await self.store.summarize(self.session_id)  # this one's, now and then
        for said in await self.store.unlearned():
            await self._learn_from(said)

    async def _live(self, user: MemoryItem) -> None:
        """The inner life's share of the background step: the mood hears the user's words (its
        line in the persona prompt changes only when the mood's words do), and a conversation's
        first turn has the journal write about the finished ones."""
        if self.inner is None:
            return
        mood = await self.inner.heard(user)
        if self._turns == 1:
            await self.inner.catch_up(self.session_id)
        self.persona = replace(self.persona, mood=mood.prompt_line())

    async def _learn_from(self, said: MemoryItem) -> None:
        """Extract facts from one utterance. A failure skips it (logged) rather than blocking
        every later utterance behind it."""
        try:
            drafts = extract_rules(said.text) if self.settings.rule_extraction else []
            if self.settings.llm_extraction:
                drafts += await extract_llm(self.model, said.text)
            await self.store.add_facts(drafts, said.id, exclusive=is_exclusive, at=said.created_at)
        except Os1Error as exc:
            log.warning("fact extraction failed for memory %s: %s", said.id, exc)
        await self.store.mark_learned(said.id)

    async def drain(self) -> None:
        """Wait for background learning to finish (before exit)."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)


def _outcome(action_id: int, tool_name: str, result: str) -> str:
    if result == "declined":
        return f"Cancelled: {tool_name} (action {action_id})."
    if result.startswith("error:") or result.startswith("several actions"):
        return f"Not done: {tool_name} (action {action_id}): {result.removeprefix('error: ')}"
    return f"Done: {tool_name} (action {action_id}). {result}"
