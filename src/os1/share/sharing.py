"""What happens when the user shows os1 something: it reads or looks or listens (off the event
loop), puts what it perceived into words, says something about it, and keeps the moment as one
memory with provenance ``shared`` (see ``os1.memory.moments``), stored in one transaction after
everything else has succeeded, so a failure anywhere stores nothing."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from os1.agent.persona import Persona
from os1.llm.base import ChatModel
from os1.memory.moments import ImageDraft, MomentDraft
from os1.memory.roles import Keepsakes
from os1.posts.reading import Post, parse_post, read_post
from os1.share.talk import remark, vision_description
from os1.shared import Shared
from os1.vision.images import ImageBytes, read_image
from os1.vision.seeing import Sight, describe, see

MEMORY_QUOTE_CHARS = 500  # of what the user wrote, in the memory's own words


class Sharing:
    """One user's shared moments: posts, photographs and music."""

    def __init__(self, store: Keepsakes, persona: Persona, model: ChatModel | None, *,
                 vision: bool = False) -> None:
        self.store = store
        self.persona = persona
        self.model = model  # None: remember without replying
        self.vision = vision

    async def share_post(self, path: Path) -> Shared:
        """Read a post, look at its pictures, and remember it (once per film or subject)."""
        return await self._share(await asyncio.to_thread(read_post, path))

    async def share_pasted(self, text: str) -> Shared:
        """A post pasted as text (Markdown with front matter, or HTML), shared as a file is."""
        return await self._share(await asyncio.to_thread(parse_post, text.encode("utf-8"), "the pasted post"))

    async def _share(self, post: Post) -> Shared:
        sights = [await asyncio.to_thread(see, image) for image in post.images]
        pictures = " ".join(f"Picture {n}: {describe(s)}" for n, s in enumerate(sights, 1))
        draft = MomentDraft(
            kind="post", key=post.key, text=post_memory(post, sights),
            data={"title": post.title, "director": post.director, "year": post.year,
                  "author": post.author, "wrote": post.text, "source": post.source,
                  "sights": [sight.to_dict() for sight in sights]},
            images=tuple(_image_draft(i, s) for i, s in zip(post.images, sights, strict=True)))
        known = await self._known(draft.key)
        said = "" if known else await self._remark(f"a post they shared, about {_subject(post)}",
                                                   f"{post.text}\n\n{pictures}", post.images)
        if said:
            draft.data["said"] = said
        moment, new = await self.store.add_moment(draft)
        if not new:
            said = f"You showed me {_subject(post)} before; I have kept this one with it too."
        return Shared(moment, new, pictures or "(no pictures in it)", said)

    async def look(self, image: ImageBytes, *, note: str | None = None, source: str = "",
                   camera: bool = False) -> Shared:
        """Look at a photograph or camera frame and remember the moment."""
        sight = await asyncio.to_thread(see, image)
        words = describe(sight)
        seen_by_model = ""
        if self.vision and self.model is not None:
            seen_by_model = await vision_description(self.model, image.data_url())
        perceived = f"{words} {seen_by_model}".strip()
        what = "what their camera sees right now" if camera else "a photograph"
        said = await self._remark(what, perceived + (f"\nThey said about it: {note}" if note else ""),
                                  (image,))
        data: dict[str, Any] = {"source": source, "note": note, "words": words, "camera": camera,
                                "sights": [sight.to_dict()],
                                "vision": seen_by_model or None, "said": said or None}
        text = (f"The user showed you {'a camera view' if camera else 'a photograph'}"
                f"{f' and said: {note!r}' if note else ''}. What you saw: {perceived}")
        moment, new = await self.store.add_moment(MomentDraft(
            kind="photo", key=f"photo:{image.hash}", text=text, data=data,
            images=(_image_draft(image, sight),)))
        return Shared(moment, new, perceived, said)

    async def look_file(self, path: Path, *, note: str | None = None) -> Shared:
        image = await asyncio.to_thread(read_image, path)
        return await self.look(image, note=note, source=path.name)

    async def listen(self, path: Path, *, source: str | None = None) -> Shared:
        """Listen to a song with the user and remember that they listened to it together
        (``source``: where it came from, when not the file itself)."""
        from os1.music import listening

        hearing = await asyncio.to_thread(listening.hear, path)
        heard = listening.describe(hearing)
        said = await self._remark("a piece of music you are listening to together", heard, ())
        title = hearing.tags.get("title") or (f"the music playing by the {source}" if source
                                              else path.stem[:80])
        artist = hearing.tags.get("artist")
        text = (f'You and the user listened together to "{title}"' + (f" by {artist}" if artist else "")
                + f" (music they played you). What you heard: {heard}")
        data: dict[str, Any] = {**hearing.to_dict(), "source": source or path.name, "words": heard,
                                "said": said or None}
        moment, new = await self.store.add_moment(MomentDraft(
            kind="song", key=f"song:{hearing.digest}", text=text, data=data))
        return Shared(moment, new, heard, said)

    async def listen_microphone(self, seconds: float, *, sd: Any = None) -> Shared:
        """Record ``seconds`` of what the microphone hears (``sd``: a stand-in for sounddevice,
        for tests) and listen to it as to a file."""
        from os1.music.listening import SAMPLE_RATE
        from os1.voice.devices import record

        samples = await asyncio.to_thread(record, seconds, SAMPLE_RATE, sd=sd)
        with tempfile.TemporaryDirectory(prefix="os1-listen-") as folder:
            path = Path(folder) / "microphone.wav"
            await asyncio.to_thread(_write_wav, path, samples, SAMPLE_RATE)
            return await self.listen(path, source="microphone")

    async def _known(self, key: str) -> bool:
        return bool(await self.store.moments(limit=1, key=key))

    async def _remark(self, what: str, shared: str, images: tuple[ImageBytes, ...]) -> str:
        if self.model is None:
            return ""
        urls = tuple(i.data_url() for i in images) if self.vision else ()
        return await remark(self.model, self.persona, what, shared, images=urls)


def _write_wav(path: Path, samples: Any, rate: int) -> None:
    import soundfile

    soundfile.write(path, samples, rate, subtype="PCM_16")


def _image_draft(image: ImageBytes, sight: Sight) -> ImageDraft:
    return ImageDraft(image.hash, image.mime, image.data, {**sight.to_dict(), "words": describe(sight)})


def _subject(post: Post) -> str:
    if post.is_film:
        made = ", ".join(str(p) for p in (post.director, post.year) if p)
        return f'the film "{post.title}"' + (f" ({made})" if made else "")
    return f'"{post.title}"'


def post_memory(post: Post, sights: list[Sight]) -> str:
    """The memory's words for a shared post: where it came from, then what it says."""
    quote = post.text[:MEMORY_QUOTE_CHARS] + ("..." if len(post.text) > MEMORY_QUOTE_CHARS else "")
    by = f" by {post.author}" if post.author and not post.is_film else ""
    lines = [f"The user showed you a post they shared{by} about {_subject(post)}."]
    if quote:
        lines.append(f'In it they wrote: "{quote}"')
    if sights:
        lines.append(f"Its picture: {describe(sights[0]).split('. ')[0]}.")
    return " ".join(lines)
