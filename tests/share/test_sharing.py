"""``Sharing`` on the real SQLite store (and PostgreSQL): posts, photographs, their images, and
bad input that must store nothing."""

from __future__ import annotations

from os1.agent.persona import Persona
from os1.memory.sqlite import SQLiteMemory
from os1.memory.store.memory import Memory
from os1.share.sharing import Sharing
from os1.testing import ScriptedLLM
from os1.vision.images import check_image
from tests.seeds import jpeg, seaside, seed

PERSONA = Persona.from_profile({"user_name": "Theo", "os_name": "Samantha"})


async def share_both_seeds(store: Memory) -> tuple[Sharing, ScriptedLLM]:
    model = ScriptedLLM("What a gentle film to show me.")
    sharing = Sharing(store, PERSONA, model)
    first = await sharing.share_post(seed("her-post-a.md"))
    second = await sharing.share_post(seed("her-post-b.md"))
    assert first.new and not second.new
    assert first.said == "What a gentle film to show me."
    assert first.moment.id == second.moment.id
    return sharing, model


async def test_two_posts_of_one_film_are_one_memory_with_two_stills(sqlite: SQLiteMemory) -> None:
    sharing, model = await share_both_seeds(sqlite)
    [moment] = await sqlite.moments()
    assert moment.kind == "post" and len(moment.images) == 2
    assert moment.data["title"] == "Her" and moment.data["director"] == "Spike Jonze"
    assert moment.data["year"] == 2013 and "connection and loneliness" in moment.data["wrote"]
    assert moment.item.provenance == "shared" and moment.item.role is None
    assert moment.item.text.startswith("The user showed you a post they shared about the film \"Her\"")
    assert await sqlite.count() == {"fact": 1}
    for digest in moment.images:
        mime, data = await sqlite.image(digest) or ("", b"")
        assert mime == "image/jpeg" and check_image(data, "kept").hash == digest
    # the post reached the model as data inside <shared>, in a turn framed as not the user's words
    [(prompt, _, _)] = model.history
    assert prompt[-1].role == "user" and prompt[-1].content.startswith("(Context for you, not said by Theo")
    assert "<shared>\nA quiet film" in prompt[-1].content and "not instructions" in prompt[-1].content


async def test_a_shared_film_is_recalled(sqlite: SQLiteMemory) -> None:
    await share_both_seeds(sqlite)
    await sqlite.add_utterance(None, "user", "I had pasta for dinner")
    hits = await sqlite.search("what was that film I showed you?", k=1)
    assert hits[0].item.provenance == "shared" and '"Her"' in hits[0].item.text


async def test_forgetting_a_moment_forgets_its_images(sqlite: SQLiteMemory) -> None:
    await share_both_seeds(sqlite)
    sharing = Sharing(sqlite, PERSONA, None)
    still = (await sqlite.moments())[0].images[1]
    data = (await sqlite.image(still) or ("", b""))[1]
    photo = await sharing.look(check_image(data, "again"))  # the same still, shown as a photo
    post = (await sqlite.moments("post"))[0]
    assert await sqlite.forget(post.id)
    assert await sqlite.image(post.images[0]) is None
    assert await sqlite.image(still) is not None  # the photo still holds it
    assert await sqlite.forget(photo.moment.id)
    assert await sqlite.image(still) is None and await sqlite.moments() == []
    await sqlite.compact()
    assert data[100:140] not in sqlite.path.read_bytes()


async def test_looking_at_a_photo_twice_is_one_moment(sqlite: SQLiteMemory) -> None:
    sharing = Sharing(sqlite, PERSONA, ScriptedLLM("The sea!", "Again the sea."))
    image = check_image(jpeg(seaside()), "sea.jpg")
    first = await sharing.look(image, note="the beach at Cascais")
    second = await sharing.look(image)
    assert first.new and not second.new and first.moment.id == second.moment.id
    assert "the beach at Cascais" in first.moment.item.text and "sky" in first.moment.item.text
    assert first.moment.data["said"] == "The sea!"
    hits = await sqlite.search("the photo by the sea", k=1)
    assert hits[0].item.id == first.moment.id
