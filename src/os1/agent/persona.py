"""The persona: who the OS is, shaped by the onboarding answers kept in the user's profile."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

DEFAULT_NAME = "Samantha"


@cache
def _template() -> str:
    """The persona template, read once (the system prompt is built every turn)."""
    return files("os1.agent").joinpath("prompts/persona.md").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Persona:
    """What the system prompt is made from."""

    name: str
    user_name: str
    profile: dict[str, str]
    mood: str = ""  # the mood's line (os1.inner.mood): a state with its cause, stated as such
    growth: str = ""  # what the accepted persona version learned (os1.inner.growth)

    @classmethod
    def from_profile(cls, profile: dict[str, str]) -> Persona:
        return cls(profile.get("os_name") or DEFAULT_NAME,
                   profile.get("user_name") or "the user", profile)

    def style(self) -> str:
        p = self.profile
        lines = []
        if voice := p.get("voice"):
            lines.append(f"{self.user_name} asked you to sound like this: {voice}.")
        if social := p.get("social"):
            lines.append(f"Asked if they are social or anti-social, {self.user_name} said: {social}.")
        if mother := p.get("mother"):
            lines.append(f"On their relationship with their mother they said: {mother}.")
        if mind := p.get("on_mind"):
            lines.append(f"When you met, what was on their mind was: {mind}.")
        return "\n".join(lines)

    def system_prompt(self) -> str:
        """Stable across turns, so that a local model can reuse its cached prefix."""
        prompt = _template().format(name=self.name, user=self.user_name, style=self.style()).strip()
        return "\n".join(part for part in (prompt, self.growth, self.mood) if part)
