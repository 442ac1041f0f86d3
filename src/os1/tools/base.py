"""The tool seam: a typed async function whose name, description and JSON schema come from its
signature and docstring, plus a policy saying whether it may act without the user's yes.

A tool with a side effect also names its *sensitive* arguments (recipients, URLs: values that
must come from the user), whether it reaches outside (``outbound``: logged and rate limited) and
how to show the user exactly what it would do (``preview``). A tool whose result carries outside
content returns ``os1.outside.Outside``. A call passes through a ``Gate`` (the guard,
``os1.safety.guard.Guard``), which enforces all of it; nothing here imports the guard.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol, get_type_hints

from os1.errors import ToolFailed, ToolInputError
from os1.outside import Outside
from os1.types import ToolCall, ToolSpec

Preview = Callable[[dict[str, Any]], Awaitable[str]]

_JSON_TYPES: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}


class Policy(Enum):
    READ = "read"  # no side effect outside os1's own memory: may run alone
    CONFIRM = "confirm"  # a side effect: the user must say yes first
    GUARDED = "guarded"  # a side effect that may run alone, unless the turn read outside content


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    parameters: dict[str, Any]
    fn: Callable[..., Awaitable[Any]]
    policy: Policy = Policy.READ
    sensitive: tuple[str, ...] = ()  # arguments whose values must come from the user
    outbound: bool = False  # reaches outside os1 and the user's own servers' state: rate limited
    preview: Preview | None = None  # the exact effect, in words, for the confirmation

    @property
    def spec(self) -> ToolSpec:
        return ToolSpec(self.name, self.description, self.parameters)


class Gate(Protocol):
    """What a checked call passes through (the guard): it runs the tool, holds the call for the
    user's yes, or refuses it, and says which in the text it returns for the model."""

    async def call(self, tool: Tool, arguments: dict[str, Any]) -> str: ...


def tool(fn: Callable[..., Awaitable[Any]], *, policy: Policy = Policy.READ,
         sensitive: tuple[str, ...] = (), outbound: bool = False,
         preview: Preview | None = None) -> Tool:
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
    return Tool(fn.__name__, doc.split("\n\n")[0], schema, fn, policy, sensitive, outbound, preview)


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
        if want == "integer":  # models often write numbers as strings
            if isinstance(value, str) and value.strip().lstrip("#").isdigit():
                arguments = {**arguments, name: int(value.strip().lstrip("#"))}
            elif not isinstance(value, int) or isinstance(value, bool):
                raise ToolInputError(f"{t.name}: argument {name} must be a whole number")
    return arguments


def result_text(result: Any) -> str:
    if isinstance(result, Outside):
        return result.plain()
    return result if isinstance(result, str) else json.dumps(result, default=str)


async def run_tool(tools: Sequence[Tool], call: ToolCall, gate: Gate | None = None) -> str:
    """Run one call; model mistakes and tool failures come back as text for the model to read.
    With a ``gate`` (the guard) its policies decide; without one, only READ tools run."""
    found = {t.name: t for t in tools}.get(call.name)
    try:
        if found is None:
            raise ToolInputError(f"there is no tool named {call.name!r}")
        arguments = _check_arguments(found, call.arguments)
        if gate is not None:
            return await gate.call(found, arguments)
        if found.policy is not Policy.READ:
            raise ToolFailed(f"{call.name} needs the user's confirmation, which was not given")
        result = await found.fn(**arguments)
    except (ToolInputError, ToolFailed) as exc:
        return f"error: {exc}"
    return result_text(result)
