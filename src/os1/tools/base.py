"""The tool seam: a typed async function whose name, description and JSON schema come from its
signature and docstring, plus a policy saying whether it may act without the user's yes."""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, get_type_hints

from os1.errors import ToolFailed, ToolInputError
from os1.types import ToolCall, ToolSpec

_JSON_TYPES: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}


class Policy(Enum):
    READ = "read"  # no side effect outside os1's own memory: may run alone
    CONFIRM = "confirm"  # a side effect: the user must say yes first


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    parameters: dict[str, Any]
    fn: Callable[..., Awaitable[Any]]
    policy: Policy = Policy.READ

    @property
    def spec(self) -> ToolSpec:
        return ToolSpec(self.name, self.description, self.parameters)


def tool(fn: Callable[..., Awaitable[Any]], *, policy: Policy = Policy.READ) -> Tool:
    """Make a ``Tool`` from an async function with type hints and a docstring."""
    hints = get_type_hints(fn)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, param in inspect.signature(fn).parameters.items():
        properties[name] = {"type": _JSON_TYPES.get(hints.get(name, str), "string")}
        if param.default is inspect.Parameter.empty:
            required.append(name)
    doc = inspect.getdoc(fn) or fn.__name__
    schema = {"type": "object", "properties": properties, "required": required}
    return Tool(fn.__name__, doc.split("\n\n")[0], schema, fn, policy)


def _check_arguments(t: Tool, arguments: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = t.parameters["properties"]
    unknown = set(arguments) - set(props)
    missing = [name for name in t.parameters["required"] if name not in arguments]
    if unknown or missing:
        raise ToolInputError(f"{t.name}: unknown {sorted(unknown)} / missing {missing} arguments")
    for name, value in arguments.items():
        want = props[name]["type"]
        if want == "string" and not isinstance(value, str):
            raise ToolInputError(f"{t.name}: argument {name} must be a string")
    return arguments


async def run_tool(tools: Sequence[Tool], call: ToolCall) -> str:
    """Run one call; model mistakes and tool failures come back as text for the model to read."""
    found = {t.name: t for t in tools}.get(call.name)
    try:
        if found is None:
            raise ToolInputError(f"there is no tool named {call.name!r}")
        if found.policy is Policy.CONFIRM:
            raise ToolFailed(f"{call.name} needs the user's confirmation, which was not given")
        result = await found.fn(**_check_arguments(found, call.arguments))
    except (ToolInputError, ToolFailed) as exc:
        return f"error: {exc}"
    return result if isinstance(result, str) else json.dumps(result, default=str)
