"""Embedders by name. Placeholder until the bundled model is chosen."""

from __future__ import annotations

from os1.errors import ConfigError
from os1.memory.base import Embedder


def load_embedder(name: str) -> Embedder:
    if name in ("hash", "minilm"):
        from os1.testing.fakes import FakeEmbedder

        return FakeEmbedder()
    raise ConfigError(f"unknown embedder {name!r}")
