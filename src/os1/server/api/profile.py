"""Getting to know each other (onboarding), the user's preferences, and reminders."""

from __future__ import annotations

import re
import time
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request

from os1.agent.onboarding import QUESTIONS, introduction, run_onboarding
from os1.config import ModelConfig
from os1.server.api.schemas import (
    Answers,
    Introduction,
    Onboarding,
    Preferences,
    PreferencesChange,
    Question,
    Reminder,
    ReminderRequest,
)
from os1.server.auth import ApiError, Caller, caller, site_of
from os1.timezones import check_zone, now_in

router = APIRouter(prefix="/v1", tags=["you"])
Who = Annotated[Caller, Depends(caller)]
OPT_IN = "a2a_card"  # the profile key: "on" when the person publishes their OS's A2A card (multi mode)
QUIET = re.compile(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d")


@router.get("/onboarding", response_model=Onboarding)
async def onboarding(who: Who, request: Request) -> Onboarding:
    async with site_of(request).spaces.use(who.user_id) as space:
        done = (await space.store.profile()).get("onboarded") == "yes"
    return Onboarding(done=done, questions=[Question(key=q.key, text=q.text, skippable=q.skippable)
                                            for q in QUESTIONS])


@router.post("/onboarding", response_model=Introduction)
async def onboard(body: Answers, who: Who, request: Request) -> Introduction:
    """Store the answers; the OS names itself and says hello, and the hello is kept as the
    first thing it said, so the chat opens with it."""
    known = {q.key for q in QUESTIONS}
    if unknown := sorted(set(body.answers) - known):
        raise ApiError(400, f"unknown questions {unknown}; known: {sorted(known)}")
    async with site_of(request).spaces.use(who.user_id) as space, space.turn:
        persona = await run_onboarding(space.store, space.runtime.model, body.answers)
        hello = await introduction(space.runtime.model, persona)
        await space.store.add_utterance(None, "assistant", hello, learn=False)
        await space.reset()
    return Introduction(os_name=persona.name, introduction=hello)


@router.get("/settings", response_model=Preferences)
async def preferences(who: Who, request: Request) -> Preferences:
    site = site_of(request)
    async with site.spaces.use(who.user_id) as space:
        profile = await space.store.profile()
        model = space.runtime.model_name
    models = site.settings.llm.models
    return Preferences(model=model, models=sorted(models),
                       model_labels={name: model_label(name, config) for name, config in models.items()},
                       voice=profile.get("voice", ""),
                       quiet_hours=profile.get("quiet_hours", site.settings.calendar.quiet_hours),
                       time_zone=profile.get("time_zone", ""), zone_offset_minutes=offset_minutes(profile),
                       agent_card=profile.get(OPT_IN) == "on")


@router.put("/settings", response_model=Preferences)
async def change_preferences(body: PreferencesChange, who: Who, request: Request) -> Preferences:
    site = site_of(request)
    if body.model is not None and body.model not in site.settings.llm.models:
        raise ApiError(400, f"no model {body.model!r}; choose one of {sorted(site.settings.llm.models)}")
    if body.quiet_hours is not None and body.quiet_hours and not QUIET.fullmatch(body.quiet_hours):
        raise ApiError(400, "quiet hours look like 22:00-08:00 (or empty for none)")
    if body.time_zone:
        check_zone(body.time_zone)
    async with site.spaces.use(who.user_id) as space:
        values = {k: v.strip() for k, v in (("voice", body.voice), ("quiet_hours", body.quiet_hours),
                                             ("time_zone", body.time_zone)) if v is not None}
        if body.agent_card is not None:
            values[OPT_IN] = "on" if body.agent_card else "off"
        if values:
            await space.store.set_profile(values)
            await space.reset()
        if body.model is not None and body.model != space.runtime.model_name:
            await site.spaces.choose_model(space, body.model)
    return await preferences(who, request)


@router.post("/reminders", response_model=Reminder, status_code=201)
async def remind(body: ReminderRequest, who: Who, request: Request) -> Reminder:
    """Remind me in N seconds: a notice on every open socket of mine, whichever worker holds it."""
    text = body.text.strip()
    if not text:
        raise ApiError(400, "a reminder needs some words")
    job = await site_of(request).jobs.add(who.user_id, time.time() + body.in_seconds, "remind", text=text)
    return Reminder(id=job["id"], text=text, at=job["at"])


def offset_minutes(profile: dict[str, str]) -> int:
    """The UTC offset now where the person's time is kept (their zone, else the server's), so a
    browser elsewhere can tell that it differs."""
    offset = now_in(profile).utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def model_label(name: str, config: ModelConfig) -> str:
    """A model as a person would understand it: where it runs and what it is, not a config key."""
    if config.kind == "llamacpp" and config.path is None:
        return "Built in: a small model on this computer (private, works offline, simple answers)"
    if config.kind == "llamacpp":
        return f"{config.path.name if config.path else name}, on this computer (private, works offline)"
    host = urlsplit(config.base_url or "").hostname or "another computer"
    where = "this computer" if host in {"localhost", "127.0.0.1", "::1"} else host
    return f"{config.model or name}, a model served by {where}"
