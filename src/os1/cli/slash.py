"""Slash commands inside ``os1 chat``."""

from __future__ import annotations

import asyncio
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from os1.agent.companion import Companion
from os1.cli.io import console
from os1.cli.render import memory_table, show

if TYPE_CHECKING:  # seeing loads OpenCV: only when a command needs it
    from os1.vision.images import ImageBytes

Camera = Callable[[], "ImageBytes"]  # one frame, or an InputError saying there is no camera

HELP = """[bold]/memories[/] [QUERY]   list recent memories, or search them
[bold]/forget[/] ID           forget one memory (and the facts drawn from it)
[bold]/forget last[/]         forget your last message and the reply to it
[bold]/look[/] IMAGE [WORDS]  show os1 a photo (and say something about it)
[bold]/camera[/] [WORDS]      show os1 what your camera sees now
[bold]/share[/] FILE          show os1 a post or page (Markdown or HTML)
[bold]/listen[/] FILE         listen to a piece of music together
[bold]/compose[/] [MOMENT]    a piano piece about a moment ("that evening", a memory id)
[bold]/help[/]                this list
[bold]/quit[/]                leave (Ctrl-D works too)"""


class SlashCommands:
    def __init__(self, companion: Companion, *, vision: bool = False,
                 music_dir: Path | None = None, camera: Camera | None = None) -> None:
        self.companion = companion
        self.vision = vision
        self.music_dir = music_dir
        self.camera = camera  # None: the first camera, through OpenCV

    async def run(self, line: str) -> bool:
        """Run one command; False means leave the chat."""
        name, _, arg = line[1:].strip().partition(" ")
        arg = arg.strip()
        if name in ("quit", "exit", "q"):
            return False
        if name == "memories":
            await self._memories(arg)
        elif name == "forget":
            await self._forget(arg)
        elif name in ("look", "share", "listen", "compose"):
            await self._share(name, arg)
        elif name == "camera":
            await self._camera(arg)
        else:
            console.print(HELP)
        return True

    async def _memories(self, query: str) -> None:
        store = self.companion.store
        if query:
            items = [h.item for h in await store.search(query, k=10)]
        else:
            items = await store.list_memories(limit=15)
        console.print(memory_table(items) if items else "[dim]No memories yet.[/]")

    async def _forget(self, arg: str) -> None:
        store = self.companion.store
        if arg == "last":  # your last message and everything after it
            recent = await store.recent_utterances(6)
            users = [i for i, m in enumerate(recent) if m.role == "user"]
            ids = [m.id for m in recent[users[-1]:]] if users else []
        elif arg.isdigit():
            ids = [int(arg)]
        else:
            console.print("usage: /forget ID | /forget last")
            return
        gone = [i for i in ids if await store.forget(i)]
        if gone:
            await store.compact()  # so the text is gone from the file and its log too
        console.print(f"[dim]Forgot {', '.join(map(str, gone)) or 'nothing'}.[/]")

    async def _share(self, name: str, arg: str) -> None:
        """Show os1 something from inside the chat, as `os1 look|share|listen|compose` do."""
        from os1.share.sharing import Sharing

        try:
            words = shlex.split(arg)
        except ValueError:
            words = []
        if not words and name != "compose":
            console.print(f"usage: /{name} FILE" + (" [WORDS]" if name == "look" else ""))
            return
        c = self.companion
        sharing = Sharing(c.store, c.persona, c.model, vision=self.vision)
        if name == "look":
            shared = await sharing.look_file(Path(words[0]), note=" ".join(words[1:]) or None)
        elif name == "share":
            shared = await sharing.share_post(Path(words[0]))
        elif name == "listen":
            shared = await sharing.listen(Path(words[0]))
        else:
            from os1.music.composer import Composer  # loads the MIDI and synthesis libraries

            folder = self.music_dir or Path.cwd()
            shared = await Composer(c.store, folder).compose(" ".join(words) or None)
        show(shared, c.persona.name, False)

    async def _camera(self, note: str) -> None:
        """One camera frame, looked at like a photo (/look). No camera raises one InputError
        line, which the chat prints before it carries on."""
        from os1.share.sharing import Sharing

        camera = self.camera
        if camera is None:
            from os1.vision.camera import capture_frame

            camera = capture_frame
        frame = await asyncio.to_thread(camera)
        c = self.companion
        sharing = Sharing(c.store, c.persona, c.model, vision=self.vision)
        shared = await sharing.look(frame, note=note or None, source="camera", camera=True)
        show(shared, c.persona.name, False)
