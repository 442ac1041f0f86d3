"""Where a proposal arrives: every outlet gets it even when one fails; the desktop through a
real ``notify-send`` program where there is one, nothing where there is none."""

from __future__ import annotations

import os
import stat
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from os1.initiative.delivery import desktop, event, hand_over
from os1.initiative.plans import Plan

AT = datetime(2026, 3, 8, 10, 0, tzinfo=ZoneInfo("Europe/Lisbon"))
PLAN = Plan(id=7, text="How was Ana's wedding?", reason="you said so", source_id=3,
            words=frozenset({"wedding"}), event_at=AT, due_at=AT)


def test_the_notice_carries_the_text_its_reason_and_its_kind() -> None:
    notice = event(PLAN)
    assert notice["type"] == "notice" and notice["kind"] == "initiative" and notice["about"] == "follow_up"
    assert (notice["plan_id"], notice["text"], notice["reason"]) == (7, PLAN.text, PLAN.reason)


async def test_an_outlet_that_fails_does_not_keep_it_from_the_others() -> None:
    got: list[int] = []

    async def broken(plan: Plan) -> None:
        raise OSError("the socket went away")

    async def kept(plan: Plan) -> None:
        got.append(plan.id)

    await hand_over([PLAN], [broken, kept])
    assert got == [7]


async def test_the_desktop_gets_it_through_notify_send(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    said = tmp_path / "said"
    program = tmp_path / "notify-send"
    program.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {said}\n')
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    await desktop(PLAN)
    assert said.read_text().splitlines()[-1] == PLAN.text


async def test_without_notify_send_the_desktop_is_skipped(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    await desktop(PLAN)  # no error, nothing to do
