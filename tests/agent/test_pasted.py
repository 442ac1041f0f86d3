"""A long paste never breaks a turn: a pasted post is shared as a post, a long text is kept
whole and windowed for the prompt, and base64 pictures are never kept as words."""

from __future__ import annotations

from pathlib import Path

from os1.agent.companion import Companion, TurnSettings
from os1.agent.context import estimate_tokens, fit_text
from os1.agent.events import TurnDone, TurnEvent
from os1.agent.pasted import SharedPost, is_post, without_images
from os1.agent.persona import Persona
from os1.memory.sqlite import SQLiteMemory
from os1.share.sharing import Sharing
from os1.testing import ScriptedLLM

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
PICTURE = "data:image/png;base64," + "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk" * 40


def make(store: SQLiteMemory, model: ScriptedLLM, **kw: object) -> Companion:
    persona = Persona.from_profile({"user_name": "Theo", "os_name": "Samantha"})

    async def share(text: str) -> SharedPost:
        shared = await Sharing(store, persona, model).share_pasted(text)
        return SharedPost(f'a post, "{shared.moment.data["title"]}"', shared.said)

    return Companion(model, store, persona, TurnSettings(**kw), share_post=share)  # type: ignore[arg-type]


async def turn(companion: Companion, text: str) -> list[TurnEvent]:
    events = [e async for e in companion.respond(text)]
    await companion.drain()
    return events


def test_posts_are_told_from_plain_text() -> None:
    assert is_post("---\ntitle: Her\nyear: 2013\n---\nA film.")
    assert is_post("  <!DOCTYPE html><html><title>x</title></html>")
    assert not is_post("---\njust a line of dashes above\n---\nno title")
    assert not is_post("I watched Her last night.")


def test_pictures_in_base64_are_not_words() -> None:
    text = without_images(f"Look ![me]({PICTURE}) and a run {'A' * 600} end")
    assert "base64" not in text and "AAAA" not in text
    assert "[a picture]" in text and "[encoded data]" in text and text.endswith("end")


def test_a_long_text_is_windowed_to_its_budget() -> None:
    text = "word " * 10_000
    fitted = fit_text(text, 1000)
    assert estimate_tokens(fitted) <= 1000 and "left out" in fitted
    assert fitted.startswith("word") and fitted.rstrip().endswith("word")
    assert fit_text("short", 1000) == "short"


async def test_a_long_plain_text_is_kept_whole_and_the_prompt_holds_a_window(
        store: SQLiteMemory) -> None:
    model = ScriptedLLM("What a lot to read.")
    text = ("On the train home I kept thinking about the letters. " * 700) + "The end."
    events = await turn(make(store, model), text)
    assert isinstance(events[-1], TurnDone) and events[-1].reply_id is not None
    kept = [u for u in await store.recent_utterances(5) if u.role == "user"]
    assert kept[-1].text == text.strip()  # whole
    prompt = model.history[0][0][-1].content
    assert len(prompt) < 6000 and "left out" in prompt and "The end." in prompt


async def test_a_pasted_seed_post_is_shared_as_a_post(store: SQLiteMemory) -> None:
    model = ScriptedLLM("A film about a voice.", "Hello again.")
    text = (SEEDS / "her-post-a.md").read_text()
    companion = make(store, model)
    events = await turn(companion, text)
    done = events[-1]
    assert isinstance(done, TurnDone) and done.reply_id is not None
    moments = await store.moments("post")
    assert len(moments) == 1 and moments[0].images  # its picture kept as a picture
    said = [u.text for u in await store.recent_utterances(5) if u.role == "user"]
    assert said == ['(I shared a post, "Her")']  # not the post, nor its base64
    assert all("base64" not in m.content for m in model.history[0][0])
    await turn(companion, "Did you like it?")  # the conversation goes on
    assert isinstance(events[-1], TurnDone)


async def test_a_post_that_does_not_parse_is_kept_as_text(store: SQLiteMemory) -> None:
    model = ScriptedLLM("I see.")
    text = "---\ntitle: [unclosed\n---\nSome words about a film."
    events = await turn(make(store, model), text)
    assert isinstance(events[-1], TurnDone)
    assert not await store.moments("post")
    assert [u.text for u in await store.recent_utterances(5) if u.role == "user"] == [text]
