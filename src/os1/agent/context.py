"""Prompt assembly: persona, recalled memories and recent conversation, each under a token
budget, then the user's message."""

from __future__ import annotations

from collections.abc import Sequence

from os1.agent.persona import Persona
from os1.memory.base import Hit, MemoryItem
from os1.types import Message


def estimate_tokens(text: str) -> int:
    """About four characters a token for English: cheap, and good enough for budgets."""
    return len(text) // 4 + 1


def pack_memories(hits: Sequence[Hit], budget: int) -> list[MemoryItem]:
    """The best hits that fit in ``budget`` tokens, best first."""
    chosen: list[MemoryItem] = []
    used = 0
    for hit in hits:
        cost = estimate_tokens(hit.item.text) + 6
        if used + cost > budget:
            continue
        chosen.append(hit.item)
        used += cost
    return chosen


def fit_history(turns: Sequence[MemoryItem], budget: int) -> list[MemoryItem]:
    """The most recent turns that fit in ``budget`` tokens, oldest first."""
    kept: list[MemoryItem] = []
    used = 0
    for turn in reversed(turns):
        used += estimate_tokens(turn.text) + 4
        if used > budget:
            break
        kept.append(turn)
    return kept[::-1]


def memory_section(memories: Sequence[MemoryItem], user_name: str) -> str:
    if not memories:
        return ""
    lines = [f"What you remember that may be relevant (about {user_name}; 'the user' is them):"]
    for item in memories:
        who = "" if item.kind == "fact" else f"{'they' if item.role == 'user' else 'you'} said: "
        lines.append(f"- [{item.when}] {who}{item.text}")
    return "\n".join(lines)


def build_messages(persona: Persona, memories: Sequence[MemoryItem],
                   history: Sequence[MemoryItem], user_text: str) -> list[Message]:
    system = persona.system_prompt()
    if section := memory_section(memories, persona.user_name):
        system = f"{system}\n\n{section}"
    messages = [Message("system", system)]
    for turn in history:
        messages.append(Message("user" if turn.role == "user" else "assistant", turn.text))
    messages.append(Message("user", user_text))
    return messages
