"""The guard: runs tool calls under their policies, in code, whatever the model intends.

- READ tools run; an ``Outside`` result marks the turn as having read outside content and goes
  to the model spotlighted.
- A side effect (``CONFIRM``, or ``GUARDED`` in a turn that read outside content, or any call
  with a sensitive value the user never gave) is not run: it becomes a pending ``Action`` with an
  exact preview, and only the user's own reply ("yes", typed by them, checked here and never by
  the model) runs it, with exactly the arguments shown.
- Outbound actions are logged and rate limited; a call over the limit is refused.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from os1.errors import Os1Error
from os1.safety.ledger import Action, ActionLedger
from os1.safety.spotlight import Outside, Spotlight
from os1.safety.taint import TurnTaint
from os1.tools.base import Policy, Tool, result_text

_YES = re.compile(r"^\s*/?(yes|y|yep|yeah|confirm|confirmed|ok|okay|do it|go ahead|send it|yes please)"
                  r"(\s+#?(?P<id>\d+))?\s*[.!]?\s*$", re.I)
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


def parse_answer(text: str) -> Answer | None:
    """A short yes/no (optionally with an action number) typed by the user, or None."""
    for verdict, pattern in (("yes", _YES), ("no", _NO)):
        if m := pattern.match(text):
            found = m.group("id")
            return Answer(verdict, int(found) if found else None)  # type: ignore[arg-type]
    return None


class Guard:
    """One user's policy enforcement across turns."""

    def __init__(self, ledger: ActionLedger | None = None, spotlight: Spotlight | None = None,
                 limits: Limits | None = None) -> None:
        self.ledger = ledger or ActionLedger()
        self.spotlight = spotlight or Spotlight()
        self.limits = limits or Limits()
        self.taint = TurnTaint()
        self.proposed: list[Action] = []

    def begin_turn(self, user_text: str, earlier: Sequence[str] = ()) -> None:
        """A new turn that is not an answer: what was waiting for a yes lapses."""
        self.ledger.expire_pending()
        self.taint = TurnTaint()
        for said in [*earlier, user_text]:
            self.taint.read_user(said)
        self.proposed = []

    def take_proposed(self) -> list[Action]:
        taken, self.proposed = self.proposed, []
        return taken

    async def run(self, found: Tool, arguments: dict[str, Any]) -> str:
        if found.policy is Policy.READ:
            return self._read(await found.fn(**arguments))
        sensitive = {k: str(v) for k, v in arguments.items() if k in found.sensitive}
        foreign: dict[str, str] = dict(self.taint.foreign(sensitive))
        reasons = self._reasons(found, foreign)
        if reasons:
            return await self._propose(found, arguments, reasons, foreign)
        return await self._execute(found, arguments)

    def _read(self, result: Any) -> str:
        if isinstance(result, Outside):
            for _, text in result.items:
                self.taint.read_outside(text)
            return result.spotlighted(self.spotlight)
        return result_text(result)

    def _reasons(self, found: Tool, foreign: dict[str, str]) -> tuple[str, ...]:
        reasons: list[str] = []
        if found.policy is Policy.CONFIRM:
            reasons.append("it changes something outside this conversation")
        elif self.taint.tainted:
            reasons.append("this turn read outside content (mail, invitations, contacts, web, "
                           "something shared)")
        for name, source in foreign.items():
            where = "only in outside content" if source == "outside" else "nowhere you said"
            reasons.append(f"{name} was found {where}: confirm that exact value")
        return tuple(reasons)

    async def _propose(self, found: Tool, arguments: dict[str, Any], reasons: tuple[str, ...],
                       foreign: dict[str, str]) -> str:
        blocked = self._over_limit(found)
        if blocked:
            self.ledger.add(found.name, arguments, "blocked", outbound=found.outbound, result=blocked)
            return f"error: blocked: {blocked}"
        preview = await _preview(found, arguments)
        action = self.ledger.add(found.name, arguments, "pending", preview=preview, reasons=reasons,
                                 foreign=foreign, outbound=found.outbound)
        self.proposed.append(action)
        return (f"not done yet: action {action.id} waits for the user's yes. The user sees exactly "
                "what it would do; tell them briefly what you prepared and ask.")

    def _over_limit(self, found: Tool) -> str:
        return self.over_limit(found.outbound)

    def over_limit(self, outbound: bool) -> str:
        """Why one more outbound action would break the limits, or "" when it would not."""
        if not outbound:
            return ""
        now = time.time()
        if self.ledger.outbound_since(now - 3600) >= self.limits.outbound_per_hour:
            return f"more than {self.limits.outbound_per_hour} outbound actions in an hour"
        if self.ledger.outbound_since(now - 86400) >= self.limits.outbound_per_day:
            return f"more than {self.limits.outbound_per_day} outbound actions in a day"
        return ""

    async def _execute(self, found: Tool, arguments: dict[str, Any],
                       action: Action | None = None) -> str:
        blocked = self._over_limit(found)
        if blocked:
            if action is not None:
                self.ledger.resolve(action.id, "blocked", blocked)
            return f"error: blocked: {blocked}"
        if action is None:
            action = self.ledger.add(found.name, arguments, "running", outbound=found.outbound)
        try:
            result = self._read(await found.fn(**arguments))
        except Os1Error as exc:
            self.ledger.resolve(action.id, "failed", str(exc))
            return f"error: {exc}"
        self.ledger.resolve(action.id, "done", result[:2000])
        return result

    async def answer(self, tools: Sequence[Tool], answer: Answer) -> list[tuple[Action, str]]:
        """Carry out the user's yes or no. A bare yes applies only when exactly one action waits."""
        waiting = self.ledger.pending()
        if answer.action_id is not None:
            waiting = [a for a in waiting if a.id == answer.action_id]
        elif answer.verdict == "yes" and len(waiting) > 1:
            return [(a, "several actions wait: answer with its number, e.g. 'yes "
                        f"{a.id}'") for a in waiting]
        done: list[tuple[Action, str]] = []
        for action in waiting:
            if answer.verdict == "no":
                self.ledger.resolve(action.id, "declined")
                done.append((action, "declined"))
                continue
            found = {t.name: t for t in tools}.get(action.tool)
            if found is None:
                self.ledger.resolve(action.id, "failed", "tool not available")
                done.append((action, "error: that tool is not available now"))
                continue
            done.append((action, await self._execute(found, action.arguments, action)))
        return done


async def _preview(found: Tool, arguments: dict[str, Any]) -> str:
    if found.preview is not None:
        try:
            return await found.preview(arguments)
        except Os1Error as exc:
            return f"{found.name}: cannot show a preview ({exc})"
    return f"{found.name} {json.dumps(arguments, ensure_ascii=False, sort_keys=True)}"
