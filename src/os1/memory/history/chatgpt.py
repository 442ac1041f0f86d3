"""ChatGPT's data export: ``conversations.json`` (alone, or in the export's zip). Each
conversation is a tree of messages (``mapping``, each node with its ``parent``); the branch the
user last saw ends at ``current_node``, and is the one read. Only the user's and the assistant's
text is kept (no system prompts, tool calls or pictures), each message at its ``create_time``."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from os1.errors import InputError
from os1.memory.history.dates import usable
from os1.memory.history.said import Conversation, Role, Said

MAX_NODES = 100_000  # in one conversation: a longer parent chain is a loop or not an export


def read_chatgpt(data: bytes, where: str = "the export") -> list[Conversation]:
    """The export's conversations, oldest first; an InputError if it is not one."""
    if data[:2] == b"PK":
        data = _from_zip(data, where)
    try:
        found = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        raise InputError(f"{where} is not JSON (a ChatGPT export's conversations.json)") from None
    if not isinstance(found, list) or not all(isinstance(c, dict) and "mapping" in c for c in found):
        raise InputError(f"{where} is not a ChatGPT export (a list of conversations with a 'mapping')")
    conversations = [c for c in (_conversation(raw) for raw in found) if c.said]
    return sorted(conversations, key=lambda c: c.said[0].at)


def _from_zip(data: bytes, where: str) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            name = next((n for n in archive.namelist() if n.endswith("conversations.json")), None)
            if name is None:
                raise InputError(f"{where}: the zip holds no conversations.json")
            return archive.read(name)
    except zipfile.BadZipFile:
        raise InputError(f"{where} is not a readable zip") from None


def _conversation(raw: dict[str, Any]) -> Conversation:
    mapping = raw.get("mapping")
    if not isinstance(mapping, dict):
        return Conversation(())
    node_id = raw.get("current_node") or _last_leaf(mapping)
    branch: list[dict[str, Any]] = []
    while isinstance(node_id, str) and node_id in mapping and len(branch) < MAX_NODES:
        node = mapping[node_id]
        if not isinstance(node, dict):
            break
        branch.append(node)
        node_id = node.get("parent")
    made = raw.get("create_time")
    fallback = float(made) if isinstance(made, int | float) and usable(made) else 0.0
    said = [s for node in reversed(branch) if (s := _said(node.get("message"), fallback))]
    return Conversation(tuple(said), str(raw.get("title") or ""))


def _last_leaf(mapping: dict[str, Any]) -> str | None:
    leaves = [key for key, node in mapping.items() if isinstance(node, dict) and not node.get("children")]
    return leaves[-1] if leaves else None


def _said(message: Any, fallback: float) -> Said | None:
    if not isinstance(message, dict):
        return None
    author = message.get("author")
    role = author.get("role") if isinstance(author, dict) else None
    content = message.get("content")
    if role not in ("user", "assistant") or not isinstance(content, dict):
        return None
    if content.get("content_type") not in ("text", "multimodal_text"):
        return None
    parts = content.get("parts")
    text = "\n".join(p for p in parts if isinstance(p, str)).strip() if isinstance(parts, list) else ""
    if not text:
        return None
    at = message.get("create_time")
    typed: Role = "user" if role == "user" else "assistant"
    return Said(typed, text, float(at) if isinstance(at, int | float) and usable(at) else fallback)
