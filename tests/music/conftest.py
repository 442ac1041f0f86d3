"""The SQLite store these tests show things to (``tests/seeds.py``)."""

from tests.seeds import sqlite

__all__ = ["sqlite"]
