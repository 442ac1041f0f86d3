"""Fakes shipped for tests and plugin authors: real implementations of os1's seams that are
deterministic and instant (``ScriptedLLM``, ``FakeEmbedder``)."""

from os1.testing.fakes import FakeEmbedder, ScriptedLLM

__all__ = ["FakeEmbedder", "ScriptedLLM"]
