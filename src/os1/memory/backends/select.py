"""A ``Select`` as SQL conditions, for both backends: they differ in the parameter mark, in how
an array of ids is matched, and in how an unset flag is written."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from os1.memory.backends.base import Select
from os1.memory.base import MemoryItem

COLUMNS = ("id, kind, text, created_at, role, session_id, provenance, source_id, subject, "
           "predicate, object, valid_to, status, private")
NO_ID = 2**62  # above every id: "before no particular memory"
ORDERS = {"id": "id", "-id": "id DESC", "time": "created_at, id"}


def item(row: Sequence[Any]) -> MemoryItem:
    """A row of ``COLUMNS`` as a memory (a flag stored as 0 or 1 read as a bool)."""
    # one construction (a search builds hundreds), each column named for the type checker
    (memory_id, kind, text, created_at, role, session_id, provenance, source_id, subject,
     predicate, value, valid_to, status, private) = row
    return MemoryItem(memory_id, kind, text, created_at, role, session_id, provenance, source_id,
                      subject, predicate, value, valid_to, status, bool(private))


def conditions(query: Select, mark: str, ids: Callable[[list[int]], tuple[str, list[Any]]],
               unlearned: str) -> tuple[list[str], list[Any]]:
    """The WHERE conditions (to be joined with AND) and their parameters, in order."""
    where: list[str] = []
    params: list[Any] = []

    def add(sql: str, *values: Any) -> None:
        where.append(sql)
        params.extend(values)

    if query.ids is not None:
        sql, values = ids(list(query.ids)) if query.ids else ("1 = 0", [])  # no ids: nothing
        add(sql, *values)
    if query.kind is not None:
        add(f"kind = {mark}", query.kind)
    if query.session_id is not None:
        add(f"session_id = {mark}", query.session_id)
    if query.source_id is not None:
        add(f"source_id = {mark}", query.source_id)
    if query.fact_key is not None:
        add(f"kind = 'fact' AND subject = {mark} AND predicate = {mark}", *query.fact_key)
    if query.fact_subject is not None:
        add(f"kind = 'fact' AND subject = {mark}", query.fact_subject)
    if query.fact_value is not None:
        add(f"kind = 'fact' AND predicate = {mark} AND lower(object) = lower({mark})",
            *query.fact_value)
    if query.unlearned:
        add(unlearned)
    if query.before_id is not None:
        add(f"id < {mark}", query.before_id or NO_ID)
    if query.text is not None:
        add(f"text = {mark}", query.text)
    if query.near_time is not None:
        add(f"abs(created_at - {mark}) < 0.001", query.near_time)
    return where, params


def tail(query: Select, mark: str) -> tuple[str, list[Any]]:
    """ORDER BY, LIMIT and OFFSET; a negative or missing limit means all."""
    sql = f" ORDER BY {ORDERS[query.order]}"
    params: list[Any] = []
    if query.limit is not None and query.limit >= 0:
        sql += f" LIMIT {mark}"
        params.append(query.limit)
        if query.offset:
            sql += f" OFFSET {mark}"
            params.append(query.offset)
    elif query.offset:
        sql += f" LIMIT -1 OFFSET {mark}" if mark == "?" else f" OFFSET {mark}"
        params.append(query.offset)
    return sql, params
