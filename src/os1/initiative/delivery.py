"""Where a proposal arrives. Each place is an ``Outlet``: the terminal chat, the web app's
sockets, Web Push, the desktop, the voice conversation. A proposal is claimed once in its book
(``PlanBook.claim``) and then handed to every outlet of the process that claimed it; an outlet
that fails is logged and the others still get it."""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from os1.initiative.plans import Plan

log = logging.getLogger(__name__)
Outlet = Callable[[Plan], Awaitable[None]]
TITLES = {"follow_up": "A question from os1", "morning": "Your morning note",
          "check_in": "os1 is thinking of you"}
NOTIFY_S = 5.0  # notify-send returns at once; one that hangs is left behind


def event(plan: Plan) -> dict[str, Any]:
    """The proposal as the web app's sockets and Web Push carry it (docs/api.md, ``notice``)."""
    return {"type": "notice", "kind": "initiative", "about": plan.kind, "plan_id": plan.id,
            "title": TITLES.get(plan.kind, "os1"), "text": plan.text, "reason": plan.reason,
            "at": plan.due_at.timestamp()}


async def hand_over(plans: Sequence[Plan], outlets: Sequence[Outlet]) -> None:
    for plan in plans:
        for outlet in outlets:
            try:
                await outlet(plan)
            except Exception:  # one place failing must not keep the proposal from the others
                log.exception("initiative: an outlet failed for plan %s", plan.id)


async def desktop(plan: Plan) -> None:
    """A desktop notification through ``notify-send``; nothing where there is none."""
    program = shutil.which("notify-send")
    if program is None:
        return
    quiet = asyncio.subprocess.DEVNULL
    title = TITLES.get(plan.kind, "os1")
    proc = await asyncio.create_subprocess_exec(program, "--app-name=os1", title, plan.text,
                                                stdin=quiet, stdout=quiet, stderr=quiet)
    try:
        await asyncio.wait_for(proc.wait(), NOTIFY_S)
    except TimeoutError:
        proc.kill()
        log.warning("initiative: notify-send did not return")
