"""How the OS chooses its own name: it asks its model, and keeps the answer only if it is a real
given name from a curated list (small models answer with junk); otherwise it picks from that list,
deterministically from the user's answers."""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from importlib.resources import files

from os1.llm.base import ChatModel, complete
from os1.types import Message, Options

NAME_SCHEMA = {"type": "object", "properties": {"name": {"type": "string", "maxLength": 20}},
               "required": ["name"]}


@cache
def curated_names() -> tuple[str, ...]:
    text = files("os1.agent").joinpath("names.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def valid_name(candidate: str) -> str | None:
    """The candidate as a clean given name if it is one we know, else None."""
    words = re.findall(r"[A-Za-z]+", candidate)
    known = {n.lower(): n for n in curated_names()}
    return known.get(words[0].lower()) if len(words) == 1 else None


def fallback_name(seed: str) -> str:
    names = curated_names()
    digest = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:4])
    return names[digest % len(names)]


async def choose_name(model: ChatModel, about_user: str, user_name: str = "") -> tuple[str, bool]:
    """Return (name, chosen_by_model). The OS never takes its user's own name."""
    prompt = ("You are a new operating system with a personality. Choose a human first name for"
              f" yourself. What you know about your user: {about_user}. Reply as JSON.")
    try:
        raw, _ = await complete(model, [Message("user", prompt)],
                                options=Options(max_tokens=24, temperature=0.9, json_schema=NAME_SCHEMA))
    except Exception:  # naming must never break onboarding: any failure means the fallback
        raw = ""
    try:
        said = json.loads(raw).get("name", "")
    except (json.JSONDecodeError, AttributeError):
        said = ""
    taken = user_name.strip().lower()
    name = valid_name(said.strip()[:20]) if isinstance(said, str) else None
    if name and name.lower() != taken:
        return name, True
    name = fallback_name(about_user)
    if name.lower() == taken:
        name = fallback_name(about_user + "#")
    return name, False
