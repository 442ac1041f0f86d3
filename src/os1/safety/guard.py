"""The guard: the one owner of trust in a turn. It holds the turn's taint, the action ledger and
the confirmations, and runs tool calls under their policies, in code, whatever the model intends.

- READ tools run; an ``Outside`` result marks the turn as having read outside content and goes
  to the model spotlighted.
- A side effect (``CONFIRM``, or ``GUARDED`` in a turn that read outside content, or any call
  with a sensitive value the user never gave) is not run: it becomes a pending ``Action`` with an
  exact preview, and only the user's own reply ("yes", typed by them, checked here and never by
  the model) runs it, with exactly the arguments shown. A value the user never gave is approved
  only by their typing it back after the yes ("yes 3 ana@example.org"); a bare yes is refused.
- Outbound actions are logged and rate limited; a call over the limit is refused.

The companion talks to it through ``answer_in``, ``begin_turn``, ``call`` (through
``os1.tools.base.run_tool``), ``take_proposed``, ``answer`` and ``tainted``; its parts (taint,
ledger, spotlight) are its own. It knows tools only through the seam (``os1.tools.base``).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from os1.errors import Os1Error, ToolFailed
from os1.memory.base import MemoryItem
from os1.outside import Outside, from_outside
from os1.safety.allowance import Drawn, Kind, beyond
from os1.safety.ledger import Action, ActionLedger
from os1.safety.privacy import Withheld
from os1.safety.spotlight import Spotlight
from os1.safety.taint import TurnTaint, emails_in, normalise, value_parts
from os1.tools.base import Policy, Tool, result_text

_YES = re.compile(r"^\s*/?(yes please|yes|y|yep|yeah|confirmed|confirm|okay|ok|do it|go ahead|send it)"
                  r"(\s+#?(?P<id>\d+))?(\s+(?P<typed>\S.*?))?\s*[.!]?\s*$", re.I)
_NO = re.compile(r"^\s*/?(no|n|nope|cancel|don't|do not|stop|decline)(\s+#?(?P<id>\d+))?\s*[.!]?\s*$",
                 re.I)


@dataclass(frozen=True)
class Limits:
    outbound_per_hour: int = 10
    outbound_per_day: int = 50


@dataclass(frozen=True)
class Answer:
    """The user's reply to pending actions: yes or no, to one action or to the only one."""

    verdict: Literal["yes", "no"]
    action_id: int | None
    typed: str = ""  # values typed back after the yes ("yes 3 ana@example.org")


def parse_answer(text: str) -> Answer | None:
    """A short yes/no (optionally with an action number, and after a yes the values the user
    typed back) typed by the user, or None."""
    for verdict, pattern in (("yes", _YES), ("no", _NO)):
        if m := pattern.match(text):
            found = m.group("id")
            typed = (m.groupdict().get("typed") or "").strip()
            return Answer(verdict, int(found) if found else None, typed)  # type: ignore[arg-type]
    return None


def typed_back(action: Action, typed: str) -> str:
    """Why the user's yes does not approve ``action``, or "" when it does. A value the user never
    gave (found only in outside content, or made up) is approved only by typing it back exactly;
    values typed to an action that needs none are refused too, so "yes, but ..." never runs."""
    missing = [name for name in action.foreign
               if not all(_typed(part, typed)
                          for part in value_parts(str(action.arguments.get(name, ""))))]
    if missing:
        names = " and ".join(missing)
        return (f"not approved: {names} came from nowhere you said; type it back: "
                f"'yes {action.id} <the exact {names} shown>'")
    if typed and not action.foreign:
        return f"not approved: answer 'yes {action.id}' alone (nothing here needs typing back)"
    return ""


def _typed(part: str, typed: str) -> bool:
    """Whether one value (an address, a URL, a number) is among what the user typed."""
    wanted = normalise(part)
    if not wanted:
        return True
    if wanted in emails_in(typed):
        return True
    return wanted == normalise(typed) or wanted in {normalise(t) for t in re.split(r"[\s,;]+", typed)}


class Guard:
    """One user's policy enforcement across turns."""

    def __init__(self, ledger: ActionLedger | None = None, spotlight: Spotlight | None = None,
                 limits: Limits | None = None) -> None:
        self._ledger = ledger or ActionLedger()
        self._spotlight = spotlight or Spotlight()
        self._limits = limits or Limits()
        self._taint = TurnTaint()
        self._withheld = Withheld()
        self._drawn = Drawn()
        self._proposed: list[Action] = []

    def answer_in(self, text: str) -> Answer | None:
        """The user's words read as their yes or no to what waits for one; None when they are
        not such an answer or nothing waits."""
        answer = parse_answer(text)
        return answer if answer is not None and self._ledger.pending() else None

    def begin_turn(self, user_text: str, history: Sequence[MemoryItem] = (),
                   recalled: Sequence[MemoryItem] = (), outside: Sequence[str] = ()) -> None:
        """A new turn that is not an answer: what was waiting for a yes lapses. The user's words
        (this turn's and their earlier ones in ``history``) are trusted; earlier turns and recalled
        memories that carry outside content taint the turn (a reply that retold outside content
        still carries it)."""
        self._ledger.expire_pending()
        self._taint = TurnTaint()
        for said in [*(t.text for t in history if t.role == "user"), user_text]:
            self._taint.read_user(said)
        self._taint.read_recalled(history)
        self._taint.read_recalled(recalled)
        for text in outside:  # shown with the turn from outside (a game's screen)
            self._taint.read_outside(text)
        self._withheld = Withheld((m.text for m in [*history, *recalled] if m.private), user_text)
        self._drawn = _drawn(user_text, history, recalled)
        self._proposed = []

    @property
    def tainted(self) -> bool:
        """Whether this turn has read outside content (its reply is then stored as such)."""
        return self._taint.tainted

    def beyond(self, kind: Kind, action: Action, drawn: Drawn | None = None,
               heard: tuple[str, ...] = ()) -> str:
        """Why the held ``action`` carries something outside what the user allowed an agent to
        receive (``kind``), or "" when the allowance covers it and it may go without another yes.
        ``drawn``: what its drafting drew on besides this turn (which the guard knows itself);
        ``heard``: what that agent said in this conversation."""
        if not action.outbound or action.status != "pending":
            return "only a message waiting for a yes can be let through"
        turn = self._drawn  # the turn's own words are earlier words to a message drafted after it
        known = Drawn("", (turn.asked, *turn.earlier), turn.memories, turn.private,
                      (*turn.outside, *self._taint.untrusted))
        text = "\n".join(str(v) for v in action.arguments.values())
        return beyond(kind, text, (drawn or Drawn()) + known, heard)

    def take_proposed(self) -> list[Action]:
        """The actions proposed since the last call, each waiting for the user's yes."""
        taken, self._proposed = self._proposed, []
        return taken

    async def call(self, tool: Tool, arguments: dict[str, Any]) -> str:
        """Call a tool with checked arguments under its policy: run it, hold it for the user's
        yes (the text says so, for the model), or refuse it."""
        if tool.policy is Policy.READ:
            return self._read(await tool.fn(**arguments))
        if tool.outbound and any(self._withheld.repeats(str(v)) for v in arguments.values()):
            refused = "refused: it repeats something the user keeps private"
            self._ledger.add(tool.name, arguments, "blocked", outbound=True, result=refused)
            return f"error: {refused}; leave it out (only the user may say it themself)"
        sensitive = {k: str(v) for k, v in arguments.items() if k in tool.sensitive}
        foreign: dict[str, str] = dict(self._taint.foreign(sensitive))
        reasons = self._reasons(tool, foreign)
        if reasons:
            return await self._propose(tool, arguments, reasons, foreign)
        return await self._execute(tool, arguments)

    def _read(self, result: Any) -> str:
        if isinstance(result, Outside):
            for _, text in result.items:
                self._taint.read_outside(text)
            return self._spotlight.show(result)
        return result_text(result)

    def _reasons(self, tool: Tool, foreign: dict[str, str]) -> tuple[str, ...]:
        reasons: list[str] = []
        if tool.policy is Policy.CONFIRM:
            reasons.append("it changes something outside this conversation")
        elif self._taint.tainted:
            reasons.append("this turn read outside content (mail, invitations, contacts, web, "
                           "something shared)")
        for name, source in foreign.items():
            where = "only in outside content" if source == "outside" else "nowhere you said"
            reasons.append(f"{name} was found {where}: confirm that exact value")
        return tuple(reasons)

    async def _propose(self, tool: Tool, arguments: dict[str, Any], reasons: tuple[str, ...],
                       foreign: dict[str, str]) -> str:
        blocked = self._over_limit(tool.outbound)
        if blocked:
            self._ledger.add(tool.name, arguments, "blocked", outbound=tool.outbound, result=blocked)
            return f"error: blocked: {blocked}"
        preview = await _preview(tool, arguments)
        action = self._ledger.add(tool.name, arguments, "pending", preview=preview, reasons=reasons,
                                 foreign=foreign, outbound=tool.outbound)
        self._proposed.append(action)
        return (f"not done yet: action {action.id} waits for the user's yes. The user sees exactly "
                "what it would do; tell them briefly what you prepared and ask.")

    def _over_limit(self, outbound: bool) -> str:
        """Why one more outbound action would break the limits, or "" when it would not."""
        if not outbound:
            return ""
        now = time.time()
        if self._ledger.outbound_since(now - 3600) >= self._limits.outbound_per_hour:
            return f"more than {self._limits.outbound_per_hour} outbound actions in an hour"
        if self._ledger.outbound_since(now - 86400) >= self._limits.outbound_per_day:
            return f"more than {self._limits.outbound_per_day} outbound actions in a day"
        return ""

    async def _execute(self, tool: Tool, arguments: dict[str, Any],
                       action: Action | None = None) -> str:
        blocked = self._over_limit(tool.outbound)
        if blocked:
            if action is not None:
                self._ledger.resolve(action.id, "blocked", blocked)
            return f"error: blocked: {blocked}"
        if action is None:
            action = self._ledger.add(tool.name, arguments, "running", outbound=tool.outbound)
        try:
            result = self._read(await tool.fn(**arguments))
        except Os1Error as exc:
            self._ledger.resolve(action.id, "failed", str(exc))
            return f"error: {exc}"
        self._ledger.resolve(action.id, "done", result[:2000])
        return result

    async def answer(self, tools: Sequence[Tool], answer: Answer) -> list[tuple[Action, str]]:
        """Carry out the user's yes or no. A bare yes applies only when exactly one action waits,
        and never to a value the user did not give: that is typed back (``typed_back``); until
        then the action keeps waiting."""
        waiting = self._ledger.pending()
        if answer.action_id is not None:
            waiting = [a for a in waiting if a.id == answer.action_id]
        elif answer.verdict == "yes" and len(waiting) > 1:
            return [(a, "several actions wait: answer with its number, e.g. 'yes "
                        f"{a.id}'") for a in waiting]
        done: list[tuple[Action, str]] = []
        for action in waiting:
            if answer.verdict == "no":
                self._ledger.resolve(action.id, "declined")
                done.append((action, "declined"))
                continue
            refused = typed_back(action, answer.typed)
            if refused:
                done.append((action, f"error: {refused}"))
                continue
            if not self._ledger.claim(action.id):  # answered meanwhile, here or on another worker
                done.append((action, "error: that action was already answered"))
                continue
            found = {t.name: t for t in tools}.get(action.tool)
            if found is None:
                self._ledger.resolve(action.id, "failed", "tool not available")
                done.append((action, "error: that tool is not available now"))
                continue
            done.append((action, await self._execute(found, action.arguments, action)))
        return done

    def waiting(self) -> list[Action]:
        """The actions waiting for the user's yes, oldest first."""
        return self._ledger.pending()

    def action(self, action_id: int) -> Action | None:
        return self._ledger.get(action_id)

    def recent(self, limit: int = 50) -> list[Action]:
        """What os1 did, held for the user's yes, or refused, newest first (``os1 actions``)."""
        return self._ledger.recent(limit)

    async def aclose(self) -> None:
        """Let go of the ledger (its file, or its own connection)."""
        self._ledger.close()

    async def run_commanded(self, tool: str, arguments: dict[str, Any],
                            act: Callable[[], Awaitable[str]], *, outbound: bool = True) -> str:
        """Run an action the user commanded themselves (``os1 mail send``, a clean-up, an
        import): no yes to ask for, but logged like the companion's (``os1 actions``), done or
        failed; an outbound one is under the same limits, and over one it is logged as blocked
        and refused with a ``ToolFailed``."""
        blocked = self._over_limit(outbound)
        if blocked:
            self._ledger.add(tool, arguments, "blocked", outbound=True, result=blocked)
            raise ToolFailed(f"not sent: {blocked} (mail.outbound_per_hour / outbound_per_day)")
        try:
            result = await act()
        except Os1Error as exc:
            self._ledger.add(tool, arguments, "failed", outbound=outbound, result=str(exc))
            raise
        self._ledger.add(tool, arguments, "done", outbound=outbound, result=result[:2000])
        return result


def _drawn(asked: str, history: Sequence[MemoryItem], recalled: Sequence[MemoryItem]) -> Drawn:
    """What a turn holds, by where it came from: the user's words now and earlier in this
    conversation, what os1 remembers or said of them, what is private, what came from outside."""
    earlier = tuple(m.text for m in history if m.role == "user" and not m.private and not from_outside(m))
    theirs = {id(m) for m in history if m.role == "user"}
    memories = tuple(m.text for m in [*history, *recalled]
                     if id(m) not in theirs and not m.private and not from_outside(m))
    private = tuple(m.text for m in [*history, *recalled] if m.private)
    outside = tuple(m.text for m in [*history, *recalled] if from_outside(m))
    return Drawn(asked, earlier, memories, private, outside)


async def _preview(tool: Tool, arguments: dict[str, Any]) -> str:
    if tool.preview is not None:
        try:
            return await tool.preview(arguments)
        except Os1Error as exc:
            return f"{tool.name}: cannot show a preview ({exc})"
    return f"{tool.name} {json.dumps(arguments, ensure_ascii=False, sort_keys=True)}"
