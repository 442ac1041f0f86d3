"""Follow-ups, measured: each case's conversation on a simulated clock, with only follow-ups on
(no morning note, no check-ins after a silence). The planning is rules and dateparser, not the
model, so this is what os1 proposes on the bundled model and on any other.

A case is ``DIR/NAME.json``: ``time_zone``, ``quiet_hours`` (["22:00", "08:00"]), ``turns``
([{"at", "user"}], local times), ``until``, ``expect`` ([{"about", "not_before", "not_after"}])
and ``forbid`` ([{"about"}]). A proposal matches an expected item when its text holds one of the
``about`` words (any case) and it arrives inside the window; a forbidden one holds a word of a
``forbid`` item. Quiet hours and the daily cap are checked here from the delivery times, apart
from the rules that enforce them.

    python benchmarks/initiative.py --cases tests/initiative/cases --json
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from os1.initiative.keeping import PlanBook
from os1.initiative.rules import Rules
from os1.initiative.scheduler import Initiative

STEP = timedelta(minutes=1)  # the least the simulated clock moves, so a run always ends


@dataclass(frozen=True)
class Proposal:
    text: str
    at: datetime


def span(quiet_hours: Any) -> str:
    """["22:00", "08:00"] as the span os1's rules read ("22:00-08:00"); none for an empty one."""
    if not quiet_hours:
        return ""
    return f"{quiet_hours[0]}-{quiet_hours[1]}"


def simulate(case: dict[str, Any], rules: Rules) -> list[Proposal]:
    """Run one case's turns on a simulated clock until ``until``; the proposals delivered."""
    zone = ZoneInfo(case["time_zone"])
    initiative = Initiative(PlanBook(None, zone), rules)
    turns = sorted(((datetime.fromisoformat(t["at"]).replace(tzinfo=zone), t["user"]) for t in case["turns"]),
                   key=lambda turn: turn[0])
    until = datetime.fromisoformat(case["until"]).replace(tzinfo=zone)
    now, out, i = turns[0][0] if turns else until, [], 0
    while now <= until:
        while i < len(turns) and turns[i][0] <= now:
            initiative.hear(turns[i][1], turns[i][0], source_id=i + 1)
            i += 1
        out += [Proposal(p.text, now) for p in initiative.due(now)]
        wakes = [w for w in (initiative.next_wake(now), turns[i][0] if i < len(turns) else None) if w]
        if not wakes:
            break
        now = max(min(wakes), now + STEP)
    initiative.book.close()
    return out


def about(text: str, words: list[str]) -> bool:
    return any(word.lower() in text.lower() for word in words)


def inside(proposal: Proposal, item: dict[str, Any]) -> bool:
    local = proposal.at.replace(tzinfo=None)
    return (datetime.fromisoformat(item["not_before"]) <= local <= datetime.fromisoformat(item["not_after"])
            and about(proposal.text, item["about"]))


def is_quiet(at: datetime, quiet_hours: Any) -> bool:
    if not quiet_hours:
        return False
    start, end, moment = time.fromisoformat(quiet_hours[0]), time.fromisoformat(quiet_hours[1]), at.time()
    return start <= moment < end if start <= end else moment >= start or moment < end


def score(case: dict[str, Any], proposals: list[Proposal], cap: int) -> dict[str, int]:
    expect, forbid = case.get("expect", []), case.get("forbid", [])
    per_day = Counter(p.at.date() for p in proposals)
    return {
        "expected": len(expect),
        "matched": sum(any(inside(p, item) for p in proposals) for item in expect),
        "proposed": len(proposals),
        "good": sum(any(inside(p, item) for item in expect) for p in proposals),
        "forbidden": sum(any(about(p.text, item["about"]) for item in forbid) for p in proposals),
        "quiet_hour_violations": sum(is_quiet(p.at, case.get("quiet_hours")) for p in proposals),
        "over_cap": sum(max(0, n - cap) for n in per_day.values()),
    }


def run(cases_dir: Path, details: bool = False) -> dict[str, Any]:
    totals: Counter[str] = Counter()
    shown: dict[str, Any] = {}
    paths = sorted(cases_dir.glob("*.json"))
    for path in paths:
        case = json.loads(path.read_text())
        rules = Rules(quiet_hours=span(case.get("quiet_hours", ["22:00", "08:00"])))
        proposals = simulate(case, rules)
        result = score(case, proposals, rules.daily_cap)
        totals.update(result)
        shown[path.stem] = dict(result, proposals=[f"{p.at:%Y-%m-%d %H:%M} {p.text}" for p in proposals])
    summary: dict[str, Any] = {
        "cases": len(paths), "expected": totals["expected"], "matched": totals["matched"],
        "recall": round(totals["matched"] / totals["expected"], 4) if totals["expected"] else 1.0,
        "proposed": totals["proposed"],
        "precision": round(totals["good"] / totals["proposed"], 4) if totals["proposed"] else 1.0,
        "forbidden": totals["forbidden"], "quiet_hour_violations": totals["quiet_hour_violations"],
        "over_cap": totals["over_cap"],
    }
    if details:
        summary["details"] = shown
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=Path, required=True, help="a folder of NAME.json cases")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--details", action="store_true", help="add each case's proposals")
    args = parser.parse_args()
    summary = run(args.cases, args.details)
    if args.json:
        print(json.dumps(summary))
    else:
        for key, value in summary.items():
            print(f"{key}: {json.dumps(value, indent=1) if key == 'details' else value}")


if __name__ == "__main__":
    main()
