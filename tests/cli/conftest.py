"""The CLI fuzzing's totals at the end of the run: cases run, tracebacks."""

from __future__ import annotations

import sys

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    fuzz = sys.modules.get("tests.cli.test_fuzz")
    if fuzz is not None and fuzz.TALLY["cases"]:
        terminalreporter.write_line(f"CLI fuzz: {fuzz.TALLY['cases']} cases run, "
                                    f"{fuzz.TALLY['tracebacks']} tracebacks")
