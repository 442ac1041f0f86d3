"""First start, in the film's spirit: a few personal questions whose answers go into the user's
profile and shape the persona; then the OS chooses its own name and introduces itself."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from os1.agent.naming import choose_name, curated_names
from os1.agent.persona import Persona
from os1.errors import InputError
from os1.llm.base import ChatModel, complete
from os1.memory.roles import Profile
from os1.types import Message, Options


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    skippable: bool = True


QUESTIONS = (
    Question("user_name", "Hello. What should I call you?", skippable=False),
    Question("social", "Are you social or anti-social?"),
    Question("mother", "How would you describe your relationship with your mother? (Enter to skip)"),
    Question("voice", "What should I sound like? (warm, calm, bright, wry, ...)"),
    Question("on_mind", "What is on your mind these days?"),
)
MAX_ANSWER = 500

def answers_from_file(path: Path) -> dict[str, str]:
    """Read ``{"user_name": ..., ...}``; unknown keys and non-strings are refused."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read answers from {path}: {exc}") from None
    known = {q.key for q in QUESTIONS}
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise InputError(f"{path}: expected a JSON object of strings, keys {sorted(known)}")
    if unknown := set(data) - known:
        raise InputError(f"{path}: unknown keys {sorted(unknown)}; known: {sorted(known)}")
    return data


def clean_answers(raw: dict[str, str]) -> dict[str, str]:
    """Trimmed answers; skipped ones left out, a required one defaulted."""
    answers: dict[str, str] = {}
    for question in QUESTIONS:
        answer = raw.get(question.key, "").strip()[:MAX_ANSWER]
        if answer or not question.skippable:
            answers[question.key] = answer or "friend"
    return answers


async def run_onboarding(store: Profile, model: ChatModel, raw: dict[str, str]) -> Persona:
    """Store the answers, let the OS name itself, and return the new persona."""
    answers = clean_answers(raw)
    about = "; ".join(f"{k}: {v}" for k, v in answers.items())
    name, _ = await choose_name(model, about, answers.get("user_name", ""))
    answers.update(os_name=name, onboarded="yes")
    await store.set_profile(answers)
    return Persona.from_profile(await store.profile())


async def introduction(model: ChatModel, persona: Persona) -> str:
    """The OS introduces itself by its new name; a plain greeting if the model gives nothing."""
    prompt = (f"Introduce yourself to {persona.user_name} in two short sentences. Your name is"
              f" {persona.name}. Say why you like your name.")
    try:
        text, _ = await complete(model, [Message("system", persona.system_prompt()),
                                         Message("user", prompt)],
                                 options=Options(max_tokens=80, temperature=0.7))
    except Exception:  # the introduction is a nicety: never fail onboarding over it
        text = ""
    others = {n.lower() for n in curated_names()} - {persona.name.lower()}
    if any(word in others for word in re.findall(r"[a-z]+", text.lower())):
        text = ""  # a small model that calls itself by another name would only confuse
    if persona.name.lower() not in text.lower():
        text = f"Hi {persona.user_name}. I'm {persona.name}. {text}".strip()
    return text
