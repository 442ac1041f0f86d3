"""Every call letters makes to the memory store, in one place: the user's own memories that
mention the person a letter is to, and the user's name. A client's letter makes none, so it can
draw only on that client's brief, never on the user's private memories or another client's."""

from __future__ import annotations

import re

from os1.letters.brief import Brief, Source
from os1.memory.roles import CompanionMemory

_OWN = ("user", "inferred")  # the user's words and facts drawn from them; never outside content


async def memories_about(store: CompanionMemory, brief: Brief, k: int = 8) -> list[Source]:
    """Up to ``k`` of the user's own memories naming the recipient, each as "memory ID"."""
    if brief.client is not None:
        return []
    names = [n for n in re.findall(r"[\w'’-]+", brief.to) if len(n) > 1 and n[0].isupper()]
    if not names:
        return []
    hits = await store.search(f"{brief.to} {brief.occasion}".strip(), k=k * 4)
    found = [h.item for h in hits if h.item.provenance in _OWN and h.item.role != "assistant"
             and any(re.search(rf"\b{re.escape(n)}\b", h.item.text, re.IGNORECASE) for n in names)]
    return [Source(f"memory {item.id}", item.text) for item in found[:k]]


async def user_name(store: CompanionMemory) -> str | None:
    """The name the user gave at onboarding, if any."""
    return (await store.profile()).get("user_name") or None
