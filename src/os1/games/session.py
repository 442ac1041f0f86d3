"""One line said at a game in progress, answered: the co-player path that the terminal
(``os1 play``), the web app's Play view and ``os1 talk`` share. A line is read by
``intents.read_line`` (code, never a model) and becomes a move, a suggestion, os1's own turn, a
look at the map, a question about where things are, a save, or words for os1 itself, which the
caller turns into a conversation turn. Bad input is one line in ``Answer.error``; the game is as
it was."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Protocol

from os1.agent.persona import Persona
from os1.errors import InputError, Os1Error
from os1.games.intents import Said, read_line
from os1.games.table import Table
from os1.games.words import in_words
from os1.llm.base import ChatModel

if TYPE_CHECKING:  # python-chess is an extra (os1[chess]): imported only when chess is played
    from os1.games.chessplay import ChessTable

TABLE_HELP = ("Type moves for the game. To me: '?' for a suggestion, 'you go' for my turn, 'map',"
              " 'where is ...?', 'how do we get to ...?', '/say ...' to talk, 'save',"
              " 'quit' (or Ctrl-D).")
CONTEXT_CHARS = 1500  # of a text game's screen given to a conversation turn about the game
CHESS_HELP = ("Moves like e4, Nf3 or g1f3. '?' for a suggestion, 'you go' (as partner), 'pgn',"
              " 'resign', 'save', 'quit'.")


@dataclass(frozen=True)
class Answer:
    """What came of one line: os1's words, the move made (by whom), the game's text after it
    (text games) or the engine's reply (chess), or one line saying why nothing happened."""

    said: str = ""
    move: str = ""
    by: str = ""  # "user" or "os1", when a move was made
    screen: str = ""
    reply: str = ""  # the engine's answering move, at chess
    error: str = ""
    chat: str = ""  # words for os1 itself: the caller makes them a conversation turn
    over: bool = False
    quit: bool = False

    def spoken(self) -> str:
        """The answer as one thing to say aloud (the voice line speaks it)."""
        reply = f"Stockfish plays {self.reply}." if self.reply else ""
        return " ".join(part.strip() for part in (self.said, self.screen, reply, self.error) if part.strip())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Playing(Protocol):
    """A game in progress with os1 at the table."""

    name: str

    @property
    def welcome(self) -> str: ...

    async def say(self, line: str) -> Answer: ...

    def view(self) -> dict[str, Any]: ...

    async def save(self) -> int | None: ...

    async def close(self) -> None: ...

    async def drop(self) -> None:
        """Stop the game without keeping it (its kept state has moved on elsewhere)."""
        ...

    def context(self) -> str:
        """The game as it stands, in a few lines for a conversation turn about it."""
        ...

    async def scene(self) -> str:
        """``context()``, for a spoken conversation at the table."""
        ...


class _Kept(Protocol):
    """What both tables offer a seat: the words to open with, keeping, closing."""

    welcome: str

    async def save(self) -> int | None: ...

    async def close(self) -> None: ...


class _Seat:
    """The shared half of a seat at a table: lines read by ``read_line``; quitting, help, words
    for os1 and saving answered alike; an ``Os1Error`` one line in ``Answer.error``."""

    help = ""
    saved = ""  # os1's words once the game is kept

    def __init__(self, table: _Kept) -> None:
        self._kept = table

    @property
    def welcome(self) -> str:
        return self._kept.welcome

    async def say(self, line: str) -> Answer:
        said = read_line(line)
        try:
            answer = await self._common(said) or await self._answer(said)
        except Os1Error as exc:
            return Answer(error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return self._after(answer)

    async def _common(self, said: Said) -> Answer | None:
        match said.intent:
            case "quit":
                return Answer(quit=True)
            case "help":
                return Answer(said=self.help)
            case "chat":
                return Answer(chat=said.text)
            case "save":
                await self._kept.save()
                return Answer(said=self.saved)
        return None

    async def _answer(self, said: Said) -> Answer:
        raise NotImplementedError

    def _after(self, answer: Answer) -> Answer:
        return answer

    def context(self) -> str:
        raise NotImplementedError

    async def save(self) -> int | None:
        return await self._kept.save()

    async def close(self) -> None:
        await self._kept.close()

    async def scene(self) -> str:
        return self.context()


class TextPlay(_Seat):
    """A text game (the cave, a story, a plugin's) at a ``Table``. ``model``: words os1's
    suggestions when given (the moves always come from the map)."""

    help = TABLE_HELP
    saved = "Saved: it's kept with our memories."

    def __init__(self, table: Table, persona: Persona, model: ChatModel | None = None) -> None:
        super().__init__(table)
        self.table = table
        self.persona = persona
        self.model = model
        self.name = table.game.name

    def _after(self, answer: Answer) -> Answer:
        if self.table.screen.over and answer.move:
            return Answer(**{**answer.to_dict(), "over": True,
                             "said": answer.said or "The game is over. I've kept how it went."})
        return answer

    async def _answer(self, said: Said) -> Answer:
        table = self.table
        match said.intent:
            case "map":
                return Answer(said=table.atlas.summary() or "We haven't been anywhere yet.")
            case "ask":
                return Answer(said=table.ask(said.text))
            case "suggest" | "take_turn":
                taking = said.intent == "take_turn"
                idea = table.suggest()
                words = await in_words(self.model, self.persona, table.game.title, table.screen.text,
                                       idea.command, idea.why, taking=taking)
                if not taking:
                    return Answer(said=words)
                turn = await table.play(idea.command, by="os1", why=idea.why)
                return Answer(said=words, move=turn.command, by="os1", screen=turn.screen.text.rstrip())
        turn = await table.play(said.text)
        taken = f"I took that as \"{turn.command}\"." if turn.screen.fitted else ""
        return Answer(said=taken, move=turn.command, by="user", screen=turn.screen.text.rstrip())

    def view(self) -> dict[str, Any]:
        table = self.table
        here = table.atlas.here
        return {"game": self.name, "title": table.game.title, "screen": table.screen.text.rstrip(),
                "place": table.atlas.name(here) if here else "", "places": len(table.atlas.places),
                "map": table.atlas.summary(), "over": table.screen.over, "help": TABLE_HELP}

    async def drop(self) -> None:
        await self.table.game.close()

    def context(self) -> str:
        table = self.table
        here = table.atlas.name(table.atlas.here) if table.atlas.here else "not yet anywhere"
        return (f"{table.game.describe()}. Where we are: {here}.\nThe game's screen now:\n"
                f"{table.screen.text.strip()[-CONTEXT_CHARS:]}")


class ChessPlay(_Seat):
    """Chess at a ``ChessTable``: moves in SAN or UCI (a pawn reaching the last rank becomes a
    queen unless told otherwise), os1's remark on each from the engine's analysis."""

    name = "chess"
    help = CHESS_HELP
    saved = "Saved with our memories."

    def __init__(self, table: ChessTable) -> None:
        super().__init__(table)
        self.table = table
        self.remark = ""  # os1's last word on the game, shown beside the board

    async def opening(self) -> Answer:
        """When the engine has the first move (the user plays black), it plays it."""
        match = self.table.match
        if match.users_turn or match.over:
            return Answer()
        return Answer(reply=await match.engine_move())

    def _after(self, answer: Answer) -> Answer:
        if answer.said:
            self.remark = answer.said
        if self.table.match.over and answer.move:
            result = f"Game over: {self.table.match.result()}. It's kept, PGN and all."
            return Answer(**{**answer.to_dict(), "over": True, "said": f"{answer.said} {result}".strip()})
        return answer

    async def _answer(self, said: Said) -> Answer:
        table, game = self.table, self.table.match
        low = said.text.casefold()
        match said.intent:
            case "suggest":
                san, why = await game.suggest()
                return Answer(said=f"I'd play {san}: {why}.")
            case "take_turn":
                if game.mode != "partner":
                    return Answer(said="I'm your opponent in this game: your move."
                                       " (Play as partners and I'll move for us.)")
                turn = await table.take_turn()
                return Answer(said=f"I'll play {turn.san}: {turn.remark}.", move=turn.san, by="os1",
                              reply=turn.reply or "")
        if low == "pgn":
            return Answer(said=game.pgn())
        if low == "resign":
            table.resigned = table.moved = True  # a resignation is kept like a move
            return Answer(said="Resigned. I've kept the game; we can look at it again any time.", over=True)
        if said.intent in ("map", "ask"):
            raise InputError("at chess, say a move (like e4 or Nf3), '?' or 'you go'")
        turn = await table.play(_queened(game.board, said.text))
        return Answer(said=turn.remark, move=turn.san, by="user", reply=turn.reply or "")

    def view(self) -> dict[str, Any]:
        match = self.table.match
        return {"game": "chess", "title": "chess", "svg": self.table.board_svg(),
                "fen": match.board.fen(), "color": "white" if match.color else "black",
                "users_turn": match.users_turn, "over": match.over or self.table.resigned,
                "result": match.result(), "mode": match.mode, "elo": match.elo,
                "moves": len(match.board.move_stack), "remark": self.remark, "help": CHESS_HELP}

    async def drop(self) -> None:
        await self.table.match.close()

    def context(self) -> str:
        match = self.table.match
        side = "white" if match.color else "black"
        return f"{match.describe()}. The user plays {side}.{' ' + self.remark if self.remark else ''}"


def _queened(board: Any, text: str) -> str:
    """``e7e8`` (a click from square to square) as ``e7e8q`` when only a promotion makes it legal."""
    import chess

    words = text.strip().lower()
    if len(words) != 4:
        return text
    try:
        move = chess.Move.from_uci(words + "q")
    except ValueError:
        return text
    return move.uci() if move in board.legal_moves else text
