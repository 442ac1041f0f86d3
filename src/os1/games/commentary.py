"""Plain words about a chess move, from the engine's numbers only: the best move it found, the
score before and after, and so what the move cost. Nothing here invents a line of play."""

from __future__ import annotations

from dataclasses import dataclass

# centipawn losses at which a move stops being fine (the usual inaccuracy, mistake and blunder
# bands of chess software)
SMALL, INACCURACY, MISTAKE = 30, 100, 300


@dataclass(frozen=True)
class Judged:
    """One move weighed by the engine, from the mover's side: scores in centipawns (mate as
    a large number), the engine's best move in SAN, and the loss."""

    san: str
    best: str
    before: int
    after: int

    @property
    def loss(self) -> int:
        return max(0, self.before - self.after)

    @property
    def band(self) -> str:
        if self.san == self.best or self.loss < SMALL:
            return "good"
        if self.loss < INACCURACY:
            return "inaccuracy"
        return "mistake" if self.loss < MISTAKE else "blunder"


def pawns(cp: int) -> str:
    """A score in words: pawns with one decimal, or a mate."""
    if abs(cp) >= 90_000:
        return "a forced mate for us" if cp > 0 else "a forced mate against us"
    return f"{cp / 100:+.1f}"


def comment(judged: Judged) -> str:
    """What os1 says about the user's move."""
    lost = f"about {judged.loss / 100:.1f} pawns" if judged.loss < 90_000 else "the game"
    if judged.san == judged.best:
        return f"{judged.san} is the engine's first choice (eval {pawns(judged.after)})."
    if judged.band == "good":
        return (f"{judged.san} is fine; the engine's pick was {judged.best}, hardly better"
                f" (eval {pawns(judged.after)}).")
    if judged.band == "inaccuracy":
        return f"{judged.san} gives up {lost}; {judged.best} was better (eval now {pawns(judged.after)})."
    if judged.band == "mistake":
        return (f"{judged.san} is a mistake: it loses {lost}, and {judged.best} was the move"
                f" (eval now {pawns(judged.after)}).")
    return (f"{judged.san} is a blunder: it loses {lost}. {judged.best} held it"
            f" (eval now {pawns(judged.after)}).")


def advice(best: str, score: int, depth: int) -> str:
    """Why os1 suggests a move: it is the engine's first choice at this depth, and the score."""
    return f"it's the engine's first choice at depth {depth}, and it keeps the eval at {pawns(score)}"
