"""The stages of a spoken conversation, in pipeline order:

    AudioIn ─▶ Listen ─▶ UserTurn ─▶ Transcribe ─▶ Transcript ─▶ Reply ─▶ ReplyText ─▶ Speak ─▶
    SpeechOut ─▶ Play (the ``Player`` the speaker pulls from)

Asked for music in plain words, ``Reply`` composes instead of calling the model: it says what the
piece is about and sends the piece itself down the line (``MusicOut``) to be played. With a game
in progress (``os1 talk --game``), moves and questions about it go to the game (``playing.py``).

A side effect the model asks for is read back aloud once the reply ends; a yes said right after
that reading approves it (``consent.py``), any other spoken yes hears it read back again.

Barge-in: when the user starts speaking over os1, ``Listen`` broadcasts ``UserSpeaking`` and
``Play`` pauses at once. Speech that goes on past ``interrupt_min_ms`` interrupts; a shorter
sound is transcribed first, and ``Reply`` resumes playback if it was only a backchannel or no
words at all, and interrupts otherwise. An interrupted reply is saved as far as it was heard.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from os1.agent.companion import Companion
from os1.agent.events import ConfirmationNeeded, TurnDone
from os1.asking.answers import Asking, Drafted
from os1.asking.requests import Ask, MusicAsk, recognise
from os1.errors import InputError, Os1Error
from os1.safety.guard import parse_answer
from os1.types import TextDelta
from os1.voice.audio import RATE, duration
from os1.voice.consent import SpokenConsent, read_back
from os1.voice.echo import NoiseSuppressor
from os1.voice.frames import (
    AudioIn,
    Control,
    Failed,
    Frame,
    Heard,
    Interrupt,
    LikelyEnd,
    Mark,
    MusicOut,
    ReplyEnd,
    ReplySaved,
    ReplyText,
    Resume,
    SpeechOut,
    Stopped,
    Transcript,
    TurnHold,
    UserSpeaking,
    UserTurn,
)
from os1.voice.music import MusicMaker
from os1.voice.pipeline import Stage
from os1.voice.player import Player
from os1.voice.playing import AtTable, for_the_game, spoken, to_os1
from os1.voice.speakable import Chunker, addressed, is_backchannel, reads_finished
from os1.voice.stt import SpeechToText
from os1.voice.tts import TextToSpeech
from os1.voice.vad import TurnDetector, TurnEvent

Clock = Callable[[], float]
log = logging.getLogger(__name__)
HALF_DUPLEX_TAIL_S = 0.3


@dataclass
class Utterance:
    """What a turn os1 says on its own has said so far, and the memory it belongs to, if any."""

    turn: int
    text: str = ""
    memory_id: int | None = None


class Listen(Stage):
    """Voice activity and turn-taking: audio in, user turns out."""

    def __init__(self, detector: TurnDetector, player: Player, clock: Clock, *,
                 interrupt_min_ms: int = 1200, half_duplex: bool = False,
                 echo: NoiseSuppressor | None = None) -> None:
        super().__init__()
        self.echo = echo
        self.detector = detector
        self.player = player
        self.clock = clock
        self.interrupt_min_s = interrupt_min_ms / 1000
        self.half_duplex = half_duplex
        self._started: float | None = None
        self._over = False
        self._interrupted = False
        self._deaf_until = 0.0
        self._judging: asyncio.Task[None] | None = None
        self._heard: dict[int, asyncio.Future[str]] = {}  # a pause's words, transcribed ahead

    async def process(self, frame: Frame) -> None:
        if not isinstance(frame, AudioIn):
            return
        if self.half_duplex and self._deaf(frame.at):
            return
        samples = self.echo.near(frame.samples) if self.echo is not None else frame.samples
        for event in self.detector.feed(samples):
            await self._on(event)
        if self._started is not None and self._over and not self._interrupted:
            if frame.at - self._started >= self.interrupt_min_s:
                self._interrupted = True
                self.broadcast(Interrupt("barge-in", frame.at))

    async def _on(self, event: TurnEvent) -> None:
        if event.kind == "start":
            self._started, self._interrupted = event.at, False
            self._over = self.detector.over_os1 = self.player.speaking
            self.broadcast(UserSpeaking(event.at))
        elif event.kind == "hold":
            self._heard = {event.pause: asyncio.get_running_loop().create_future()}
            await self.push(TurnHold(event.audio, self._heard[event.pause]))
        elif event.kind == "judge":
            self._judging = asyncio.create_task(self._judge(event))
        else:
            self.notify(Mark("turn_end", 0, self.clock()))
            await self._end(event)

    async def _judge(self, event: TurnEvent) -> None:
        """The end-of-turn model's verdict on a pause, reached off the event loop; where it
        calls the turn unfinished, the words transcribed ahead may still read finished."""
        model = self.detector.model
        if model is None:
            return
        probability = await asyncio.to_thread(model.complete, event.audio)
        end = self.detector.verdict(event.pause, probability)
        if end is None and (heard := self._heard.get(event.pause)) is not None:
            # the words count only until the longest wait has ended the turn anyway
            with contextlib.suppress(TimeoutError):
                wait_s = self.detector.settings.end_incomplete_ms / 1000
                if reads_finished(words := await asyncio.wait_for(heard, wait_s)):
                    end = self.detector.said_finished(event.pause)
                    if end is None and self.detector.ending_on_words:
                        await self.push(LikelyEnd(words))  # the reply may start reading ahead
        if end is not None:
            await self._on(end)

    async def flush(self) -> None:
        """The input ended: a turn still in progress ends here."""
        if (event := self.detector.flush()) is not None:
            await self._end(event)

    async def _end(self, event: TurnEvent) -> None:
        over, self._started = self._over and not self._interrupted, None
        await self.push(UserTurn(event.audio, event.at - duration(event.audio), event.at, over))

    def _deaf(self, at: float) -> bool:
        """Half duplex (speakers without echo cancelling): ignore the microphone while os1
        speaks and a moment after, so it never hears itself."""
        if self.player.speaking:
            self._deaf_until = at + HALF_DUPLEX_TAIL_S
        if at < self._deaf_until:
            self.detector.vad.reset()
            return True
        return False


class Transcribe(Stage):
    """Speech to text, off the event loop. It starts on a ``TurnHold`` (the user paused) and
    uses that result when the ``UserTurn`` confirms the pause was the end: the turn detector's
    wait and the transcription overlap."""

    def __init__(self, stt: SpeechToText) -> None:
        super().__init__()
        self.stt = stt
        self._ahead: asyncio.Task[str] | None = None
        self._held = 0  # samples the transcription ahead covers

    async def process(self, frame: Frame) -> None:
        if isinstance(frame, TurnHold):
            self._ahead = asyncio.create_task(asyncio.to_thread(self.stt.transcribe, frame.audio))
            if frame.heard is not None:
                self._ahead.add_done_callback(partial(_tell, frame.heard))
            self._held = frame.audio.size
            return None
        if not isinstance(frame, UserTurn):
            return await self.push(frame)
        began = time.perf_counter()
        ahead, self._ahead = self._ahead, None
        if ahead is not None and frame.audio.size - self._held < 2 * RATE:  # only silence since the hold
            text = await ahead
        else:
            text = await asyncio.to_thread(self.stt.transcribe, frame.audio)
        took = time.perf_counter() - began
        self.notify(Heard(text, frame.ended, took))
        await self.push(Transcript(text, frame.ended, took, frame.over_os1))


def _tell(heard: asyncio.Future[str], done: asyncio.Task[str]) -> None:
    """Hand a transcription's words to whoever waits for them (none if it failed)."""
    if not heard.done():
        failed = done.cancelled() or done.exception() is not None
        heard.set_result("" if failed else done.result())


class Reply(Stage):
    """The companion's turn: decide whether a transcript is a new turn, a backchannel or not for
    os1 at all; stream the reply in speakable pieces; save what was actually heard."""

    def __init__(self, companion: Companion, player: Player, clock: Clock, *, name: str = "",
                 wake_phrase: bool = False, follow_up_s: float = 20.0,
                 music: MusicMaker | None = None, consent: SpokenConsent | None = None,
                 asking: Asking | None = None, play: AtTable | None = None,
                 read_ahead: bool = True) -> None:
        super().__init__()
        self.companion = companion
        self.read_ahead = read_ahead  # a turn about to end has its prompt read ahead (``LikelyEnd``)
        self.asking = asking  # a letter (or mail without tools) asked for: the deed, said briefly
        self.play: AtTable | None = play  # a game in progress: moves and questions about it go to the game
        self.consent = consent or SpokenConsent()
        self.music = music  # asked for music in plain words, os1 composes and plays a piece
        self.player = player
        self.clock = clock
        self.name = name
        self.wake_phrase = wake_phrase
        self.follow_up_s = follow_up_s
        self.turn = 0
        self._reply: asyncio.Task[None] | None = None
        self._ahead: asyncio.Task[None] | None = None  # the model reading a turn's prompt ahead
        self._ended: dict[int, asyncio.Event] = {}
        self._last_reply_at = -1e9
        loop = asyncio.get_running_loop()

        def reply_end(turn: int) -> None:  # called from the speaker's thread
            loop.call_soon_threadsafe(self._reply_heard, turn)

        player.on_reply_end = reply_end

    @property
    def replying(self) -> bool:
        return self._reply is not None and not self._reply.done()

    def control(self, frame: Control) -> None:
        if isinstance(frame, Interrupt) and self._reply is not None:
            self._reply.cancel()

    async def process(self, frame: Frame) -> None:
        if isinstance(frame, LikelyEnd):
            self._read_ahead(frame.text.strip())
        if not isinstance(frame, Transcript):
            return
        text = frame.text.strip()
        busy = self.replying or self.player.speaking
        if (frame.over_os1 or busy) and is_backchannel(text) or not text:
            self.broadcast(Resume())  # every user sound ends in Resume or Interrupt: no pause is left over
            return
        if self.wake_phrase and self.clock() - self._last_reply_at > self.follow_up_s:
            request = addressed(text, self.name)
            if request is None:
                self.broadcast(Resume())
                return  # not for os1
            text = request or text
        if busy:
            self.broadcast(Interrupt("the user spoke", self.clock()))
            await self._settle()
        else:
            self.broadcast(Resume())
        self.turn += 1
        self._ended[self.turn] = asyncio.Event()
        said_yes, text = self._spoken_yes(frame, text, busy)
        deed = recognise(text, tools=bool(self.companion.tools))
        move = for_the_game(self.play, text, self.name) if said_yes is None else None
        if said_yes is not None:
            self._reply = asyncio.create_task(self._read_back(self.turn, said_yes))
        elif isinstance(deed, MusicAsk) and self.music is not None:
            self._reply = asyncio.create_task(self._play_piece(self.turn, self.music, deed.about))
        elif deed is not None and not isinstance(deed, MusicAsk) and self.asking is not None:
            self._reply = asyncio.create_task(self._answer(self.turn, self.asking, deed))
        elif move is not None:
            self._reply = asyncio.create_task(self._game_turn(self.turn, move))
        else:
            text = to_os1(text, self.name) if self.play is not None else text
            self._reply = asyncio.create_task(self._respond(self.turn, text))

    def _read_ahead(self, text: str) -> None:
        """Have the model read ahead the prompt of a turn about to end on ``text`` if it will be
        an ordinary reply: os1 is neither speaking nor replying, no game is on, os1 need not be
        named, and the words are no backchannel, yes or no, or deed. One reading at a time."""
        if (not self.read_ahead or self.replying or self.player.speaking or self.play is not None or not text
                or self.wake_phrase and self.clock() - self._last_reply_at > self.follow_up_s
                or is_backchannel(text) or parse_answer(text) is not None
                or recognise(text, tools=bool(self.companion.tools)) is not None
                or self._ahead is not None and not self._ahead.done()):
            return
        self.notify(Mark("read_ahead", self.turn + 1, self.clock()))
        self._ahead = asyncio.create_task(self._foresee(text))

    async def _foresee(self, text: str) -> None:
        try:
            await self.companion.foresee(text)
        except Os1Error as exc:  # a reading ahead that fails costs the turn nothing
            log.info("reading ahead failed: %s", exc)

    def _spoken_yes(self, frame: Transcript, text: str, busy: bool) -> tuple[int | None, str]:
        """A spoken yes to what waits: the words that approve the action read back (``yes N``),
        or the action to read back again because this yes does not count."""
        answer = parse_answer(text)
        waiting = [a.id for a in self.companion.guard.waiting()] if answer is not None else []
        if answer is None or answer.verdict != "yes" or not waiting:
            return None, text
        approved = self.consent.approves(frame, waiting, busy)
        self.consent.forget()  # one reading, one yes
        if approved is None:
            return waiting[0] if answer.action_id not in waiting else answer.action_id, text
        return None, f"yes {approved}"

    async def _read_back(self, turn: int, action_id: int) -> None:
        """Read a held action back aloud; a yes right after it approves it."""
        action = self.companion.guard.action(action_id)
        said = read_back(action.preview if action is not None else "")
        await self._spoken(turn, self._saying([said]),
                           then=lambda: self.consent.read(action_id, self.clock()))

    def announce(self, text: str) -> None:
        """Say ``text``, something os1 brings up on its own (a follow-up, the morning note), as a
        turn of its own: the user may talk over it like any reply. It is not stored as a reply;
        the initiative keeps it as delivered."""
        self.turn += 1
        self._ended[self.turn] = asyncio.Event()
        self._reply = asyncio.create_task(self._announce(self.turn, text))

    async def _announce(self, turn: int, text: str) -> None:
        await self._spoken(turn, self._saying([text]))

    def _saying(self, pieces: list[str]) -> Callable[[Utterance], Awaitable[None]]:
        """Words to say as a turn, piece by piece (for ``_spoken``)."""
        async def utter(said: Utterance) -> None:
            for piece in pieces:
                said.text = f"{said.text} {piece}".strip()
                await self._say(ReplyText(piece, said.turn))
        return utter

    async def _spoken(self, turn: int, utter: Callable[[Utterance], Awaitable[None]],
                      then: Callable[[], None] | None = None) -> None:
        """A turn os1 says without the companion (a read-back, an announcement, a piece, a game's
        answer): ``utter`` says it, then the turn ends once heard (``then`` runs) and is saved,
        or, talked over, saved as far as it was heard."""
        said = Utterance(turn)
        try:
            await utter(said)
            await self.push(ReplyEnd(turn))
            await self._ended[turn].wait()
            if then is not None:
                then()
            self.notify(ReplySaved(turn, said.memory_id, said.text, False))
        except asyncio.CancelledError:
            self.notify(ReplySaved(turn, said.memory_id, self.player.heard(turn), True))
            raise
        finally:
            self._last_reply_at = self.clock()
            self._ended.pop(turn, None)

    async def _settle(self) -> None:
        """Let a cancelled reply save what was heard before the next turn starts."""
        if self._reply is not None:
            await asyncio.gather(self._reply, return_exceptions=True)

    def _reply_heard(self, turn: int) -> None:
        if event := self._ended.get(turn):
            event.set()

    async def _respond(self, turn: int, text: str) -> None:
        chunker = Chunker()
        before = self.companion.last_turn  # an earlier turn's: never this one's to edit or forget
        done: TurnDone | None = None
        held: list[ConfirmationNeeded] = []
        first = True
        try:
            scene = await self.play.scene() if self.play is not None else ""  # the game, if one is on
            async with contextlib.aclosing(self.companion.respond(text, outside=scene)) as events:
                async for event in events:
                    if isinstance(event, ConfirmationNeeded):
                        held.append(event)
                    elif isinstance(event, TextDelta):
                        if first:
                            first = False
                            self.notify(Mark("first_token", turn, self.clock()))
                        for piece in chunker.feed(event.text):
                            await self._say(ReplyText(piece, turn))
                    elif isinstance(event, TurnDone):
                        done = event
            for piece in chunker.flush():
                await self._say(ReplyText(piece, turn))
            if held:  # the last action held is the one a spoken yes may approve
                await self._say(ReplyText(read_back(held[-1].preview), turn))
            await self.push(ReplyEnd(turn))
            await self._ended[turn].wait()
            if held:
                self.consent.read(held[-1].action_id, self.clock())
            self._last_reply_at = self.clock()
            self.notify(ReplySaved(turn, done.reply_id if done else None, done.reply if done else "", False,
                                   done.user_id if done else None))
        except asyncio.CancelledError:
            await asyncio.shield(self._save_heard(turn, before))
            raise
        except Os1Error as exc:
            self.notify(Failed(str(exc)))
        finally:
            self._ended.pop(turn, None)

    async def _play_piece(self, turn: int, music: MusicMaker, about: str | None) -> None:
        """Compose a piece about the moment asked for, say what it is about, then play it. The
        piece is remembered by the composer (not as a reply); talking over it stops it."""
        async def utter(said: Utterance) -> None:
            try:
                piece = await music.piece(about)
                said.text, said.memory_id = piece.said, piece.moment_id
                await self._say(ReplyText(said.text, turn))
                await self.push(MusicOut(piece.samples, turn))
            except InputError as exc:  # nothing to compose about: say so, briefly
                self.notify(Failed(str(exc)))
                said.text = "I can't find that moment to make music about. Show me something first?"
                await self._say(ReplyText(said.text, turn))
        await self._spoken(turn, utter)

    async def _answer(self, turn: int, asking: Asking, deed: Ask) -> None:
        """A deed asked for in plain words (``os1.asking``), said in short: a letter drafted is
        kept when every detail is grounded, and os1 says where it is."""
        try:
            answer = await asking.answer(deed)
            said = await asking.keep_spoken(answer) if isinstance(answer, Drafted) else answer.spoken()
        except Os1Error as exc:
            self.notify(Failed(str(exc)))
            said = "I couldn't do that just now."
        await self._announce(turn, said)

    async def _game_turn(self, turn: int, line: str) -> None:
        """A line for the game in progress, answered on the co-player path and spoken. The game
        keeps the session (not stored as a reply); a move under way finishes even if talked over."""
        assert self.play is not None
        async def utter(said: Utterance) -> None:
            assert self.play is not None
            answer = await asyncio.shield(self.play.say(line))
            if answer.quit:
                self.play = None  # the game is left: from now on, words are for os1
            await self._saying(spoken(answer))(said)
        await self._spoken(turn, utter)

    async def _say(self, piece: ReplyText) -> None:
        self.notify(piece)
        await self.push(piece)

    async def _save_heard(self, turn: int, before: TurnDone | None) -> None:
        """Keep in memory only what the user heard of an interrupted reply (``before``: the
        companion's last turn when this one began; a turn cut before it was saved has none)."""
        done = self.companion.last_turn
        if done is before:
            done = None
        heard = self.player.heard(turn)
        reply_id = done.reply_id if done is not None else None
        if reply_id is not None:
            if heard:
                await self.companion.store.edit(reply_id, heard, status="interrupted")
            else:
                await self.companion.store.forget(reply_id)
        self._last_reply_at = self.clock()
        said_id = done.user_id if done is not None else None
        self.notify(ReplySaved(turn, reply_id if heard else None, heard, True, said_id))

    async def finish(self) -> None:
        """Wait for the reply in flight (end of input), then for background learning."""
        await asyncio.gather(*(t for t in (self._ahead, self._reply) if t is not None),
                             return_exceptions=True)
        await self.companion.drain()


class Speak(Stage):
    """Text to speech, one piece at a time, off the event loop."""

    interruptible = True

    def __init__(self, tts: TextToSpeech, clock: Clock) -> None:
        super().__init__()
        self.tts = tts
        self.clock = clock
        self._turn = 0

    async def process(self, frame: Frame) -> None:
        if isinstance(frame, ReplyText):
            samples = await asyncio.to_thread(self.tts.synthesize, frame.text)
            if frame.turn != self._turn:
                self._turn = frame.turn
                self.notify(Mark("first_speech", frame.turn, self.clock()))
            await self.push(SpeechOut(samples, frame.text, frame.turn))
        else:
            await self.push(frame)


class Play(Stage):
    """Hands speech to the player; pauses, resumes and stops it on control frames."""

    def __init__(self, player: Player, clock: Clock) -> None:
        super().__init__()
        self.player = player
        self.clock = clock

    async def process(self, frame: Frame) -> None:
        if isinstance(frame, SpeechOut):
            self.player.play(frame.samples, frame.text, frame.turn)
        elif isinstance(frame, MusicOut):
            self.player.play(frame.samples, "", frame.turn)
        elif isinstance(frame, ReplyEnd):
            self.player.end_reply(frame.turn)

    def control(self, frame: Control) -> None:
        if isinstance(frame, UserSpeaking):
            if self.player.pause():
                self.notify(Stopped(self.clock(), paused=True))
        elif isinstance(frame, Resume):
            self.player.resume()
        elif isinstance(frame, Interrupt):
            self.player.stop()
            self.notify(Stopped(self.clock(), paused=False))
