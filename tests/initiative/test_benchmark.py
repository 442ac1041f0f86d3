"""benchmarks/initiative.py as the issue runs it: its printed keys, and the goals on our cases."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
KEYS = {"cases", "expected", "matched", "recall", "proposed", "precision", "forbidden",
        "quiet_hour_violations", "over_cap"}


def bench(cases: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "initiative.py"), "--cases", str(cases),
                          "--json"], capture_output=True, text=True, check=True, timeout=300)
    result: dict[str, float] = json.loads(out.stdout)
    return result


def test_the_goals_hold_on_our_cases() -> None:
    result = bench(HERE / "cases")
    assert set(result) == KEYS
    assert result["cases"] >= 40 and result["expected"] >= 30
    assert result["recall"] >= 0.9 and result["precision"] >= 0.9
    assert result["forbidden"] == 0 and result["quiet_hour_violations"] == 0 and result["over_cap"] == 0


def test_the_rules_hold_on_the_cases_written_after_tuning() -> None:
    """Recall there is reported, not held to the goal (docs/initiative.md); the rules are code,
    so forbidden topics, quiet hours and the cap hold on any case."""
    result = bench(HERE / "heldout")
    assert result["cases"] == 10
    assert result["forbidden"] == 0 and result["quiet_hour_violations"] == 0 and result["over_cap"] == 0
    assert result["precision"] >= 0.9
