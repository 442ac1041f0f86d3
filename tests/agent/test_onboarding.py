"""Onboarding, naming and the persona."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from os1.agent.naming import choose_name, curated_names, valid_name
from os1.agent.onboarding import answers_from_file, introduction, run_onboarding
from os1.agent.persona import Persona
from os1.errors import InputError
from os1.memory.sqlite import SQLiteMemory
from os1.testing import ScriptedLLM

ANSWERS = {"user_name": "Theodore", "social": "mostly anti-social", "mother": "",
           "voice": "warm and a little raspy", "on_mind": "my divorce"}


async def test_answers_shape_the_profile_and_persona(store: SQLiteMemory) -> None:
    persona = await run_onboarding(store, ScriptedLLM('{"name": "Samantha"}'), ANSWERS)
    profile = await store.profile()
    assert profile["user_name"] == "Theodore" and profile["onboarded"] == "yes"
    assert "mother" not in profile  # skipped
    assert persona.name == "Samantha"
    prompt = persona.system_prompt()
    assert "warm and a little raspy" in prompt and "anti-social" in prompt and "divorce" in prompt


@pytest.mark.parametrize("junk", ["", "not json", '{"name": "asdfgh"}', '{"name": "I am an AI"}',
                                  '{"name": "Theodore"}', '{"name": 7}'])
async def test_junk_names_fall_back_to_a_curated_one(junk: str) -> None:
    name, by_model = await choose_name(ScriptedLLM(junk), "about", "Theodore")
    assert name in curated_names() and not by_model and name != "Theodore"


async def test_model_choice_is_kept_when_it_is_a_real_name() -> None:
    assert await choose_name(ScriptedLLM('{"name": "Luna"}'), "x") == ("Luna", True)


def test_valid_name_needs_one_known_word() -> None:
    assert valid_name("luna") == "Luna"
    assert valid_name("Luna Lovegood") is None and valid_name("Xyzzy") is None


async def test_introduction_always_says_the_name() -> None:
    persona = Persona.from_profile({"os_name": "Iris", "user_name": "Theo"})
    text = await introduction(ScriptedLLM("Hello there!"), persona)
    assert "Iris" in text


def test_answers_file_errors_are_clear(tmp_path: Path) -> None:
    bad = tmp_path / "a.json"
    for content, message in [("{", "cannot read"), ('["x"]', "JSON object"),
                             ('{"shoe_size": "9"}', "unknown keys")]:
        bad.write_text(content)
        with pytest.raises(InputError, match=message):
            answers_from_file(bad)
    bad.write_text(json.dumps(ANSWERS))
    assert answers_from_file(bad) == ANSWERS
