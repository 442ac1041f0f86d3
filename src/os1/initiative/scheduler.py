"""The initiative's scheduler: it hears what the user says, keeps one plan per event, and at each
moment of an injectable clock hands over the follow-ups the rules allow."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Protocol

from os1.initiative.keeping import PlanBook
from os1.initiative.plans import Plan, due_after, follow_up_text, reason_for
from os1.initiative.reading import Said, read
from os1.initiative.rules import (
    Rules,
    after_cap,
    day_start,
    is_quiet,
    lapse_of,
    next_open,
    room_today,
    same_event,
)


class Clock(Protocol):
    """Where the scheduler reads the time and waits: the wall clock, or a simulated one."""

    def now(self) -> datetime: ...

    async def sleep_until(self, when: datetime) -> None: ...


class Initiative:
    """One user's follow-ups over a ``PlanBook``, under ``Rules``."""

    def __init__(self, book: PlanBook, rules: Rules) -> None:
        self.book, self.rules = book, rules

    def hear(self, text: str, at: datetime, source_id: int | None = None) -> list[Plan]:
        """Take in what the user said at ``at``; returns the plans it made or moved."""
        touched: list[Plan] = []
        for said in read(text, at, self.book.zone):
            plan = self._apply(said, at, source_id)
            if plan is not None:
                touched.append(plan)
        return touched

    def _apply(self, said: Said, at: datetime, source_id: int | None) -> Plan | None:
        if said.kind == "stop":
            self._stop(said, at)
            return None
        if said.kind == "cancel":
            for plan in self._matching(said):
                self.book.set_status(plan.id, "cancelled", at)
            return None
        if said.kind == "move":
            return self._move(said, at, source_id)
        return self._event(said, at, source_id)

    def _matching(self, said: Said) -> list[Plan]:
        """Open plans the clause names; "that"/"it" alone means the latest one."""
        plans = [p for p in self.book.plans() if p.kind == "follow_up"]
        named = [p for p in plans if same_event(p.words, said.words)]
        if named or said.words:
            return named
        return sorted(plans, key=lambda p: p.id)[-1:]

    def _stop(self, said: Said, at: datetime) -> None:
        plans = self._matching(said)
        for plan in plans:
            self.book.set_status(plan.id, "dropped", at)
            self.book.block(plan.words, at)
        if said.words:
            self.book.block(said.words, at)

    def _move(self, said: Said, at: datetime, source_id: int | None) -> Plan | None:
        plans = self._matching(said)
        if not plans:
            return self._event(said, at, source_id)
        assert said.when is not None
        for plan in plans:
            self.book.move(plan.id, said.when, due_after(said.when, self.rules.hour),
                           reason_for(said, at) + f" (moved; first: {plan.reason})")
        return self.book.get(plans[0].id)

    def _event(self, said: Said, at: datetime, source_id: int | None) -> Plan | None:
        if said.past or said.when is None:
            return None
        if any(same_event(words, said.words) for words in self.book.blocked()):
            return None
        known = [p for p in self.book.plans(("planned", "delivered", "cancelled", "dropped"))
                 if same_event(p.words, said.words)]
        if known:  # one follow-up per event: a new mention only moves an open plan's day
            open_plans = [p for p in known if p.status == "planned"]
            if open_plans and open_plans[0].event_at.date() != said.when.date() and said.when > at:
                self.book.move(open_plans[0].id, said.when, due_after(said.when, self.rules.hour),
                               reason_for(said, at))
            return None
        text = follow_up_text(said)
        if text is None:
            return None
        return self.book.add(text, reason_for(said, at), source_id, said.words,
                             said.when, due_after(said.when, self.rules.hour))

    def due(self, now: datetime) -> list[Plan]:
        """The follow-ups to deliver at ``now``, marked delivered; stale ones lapse."""
        now = now.astimezone(self.book.zone)  # the day and the quiet hours are the user's own
        if is_quiet(now, self.rules):
            return []
        room = room_today(self.book.delivered_since(day_start(now)), self.rules)
        out: list[Plan] = []
        for plan in self.book.plans():
            if plan.due_at > now:
                break
            if now - plan.due_at > lapse_of(plan.kind, self.rules):
                self.book.set_status(plan.id, "lapsed", now)
            elif len(out) < room and self.book.claim(plan.id, now):
                out.append(plan)
        return out

    def next_wake(self, now: datetime) -> datetime | None:
        """The next moment ``due`` could hand something over, or None when nothing is planned."""
        plans = self.book.plans()
        if not plans:
            return None
        now = now.astimezone(self.book.zone)
        at = max(plans[0].due_at, now)
        if room_today(self.book.delivered_since(day_start(at)), self.rules) == 0:
            at = after_cap(at, self.rules)
        return next_open(at, self.rules)

    def snooze(self, plan_id: int, until: datetime) -> bool:
        plan = self.book.get(plan_id)
        if plan is None or plan.status != "planned":
            return False
        self.book.move(plan.id, plan.event_at, until, plan.reason)
        return True

    def cancel(self, plan_id: int, at: datetime) -> bool:
        plan = self.book.get(plan_id)
        if plan is None or plan.status != "planned":
            return False
        return self.book.set_status(plan_id, "cancelled", at)

    async def run(self, clock: Clock, deliver: Callable[[Plan], Awaitable[None]],
                  idle: timedelta = timedelta(minutes=15)) -> None:
        """Deliver follow-ups as they fall due, for as long as the task runs."""
        while True:
            now = clock.now()
            for plan in self.due(now):
                await deliver(plan)
            wake = self.next_wake(now)
            await clock.sleep_until(min(wake, now + idle) if wake is not None else now + idle)
