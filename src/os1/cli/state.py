"""What every command is handed (``click.pass_obj``): the settings, loaded once by the entry
point (``os1.cli.main``), and the model chosen with ``--model``."""

from __future__ import annotations

from dataclasses import dataclass

from os1.config import Settings


@dataclass
class CliState:
    settings: Settings
    model_name: str | None
