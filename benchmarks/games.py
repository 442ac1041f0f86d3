"""Playing together, measured.

* Strength means what it says: os1 as the opponent (Stockfish limited by ``UCI_Elo``) at three
  settings plays Stockfish searching to a fixed low depth, alternating colours; the score and
  the Elo difference it implies, with a standard error from the per-game results.
* It remembers the world: a scripted 200-move Colossal Cave session (os1 taking every turn from
  a fixed seed, exploring as it would with a user) builds the map; then questions about where
  things are and how to get from one place to another are answered from the map alone (no
  model) and checked against the real engine: a thing's place against the engine's own record,
  a route by walking it in a replay of the game, lamp in hand, and seeing where it ends.
* Time per move that os1 adds over the game itself (the map, the screen reading, a suggestion):
  the same moves on the bare game and at a table, p50 and p95.

    python benchmarks/games.py [--json] [--games 10] [--depth 1] [--elos 1350,1800,2400]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import statistics
import time
from typing import Any

from os1.agent.persona import Persona
from os1.games.atlas import CARRIED
from os1.games.cave import CaveGame, _replayed
from os1.games.session import TextPlay
from os1.games.table import Table

SEED, MOVES = 1977, 200


def elo_diff(score: float, games: int) -> tuple[float, float]:
    """The Elo difference a score implies, and its standard error (delta method)."""
    s = min(max(score, 0.5 / games), 1 - 0.5 / games)
    diff = -400 * math.log10(1 / s - 1)
    return diff, 400 / (math.log(10) * s * (1 - s))


async def match(elo: int, depth: int, games: int, move_time: float) -> dict[str, Any]:
    import chess
    import chess.engine

    from os1.games.programs import find_program

    path = find_program("stockfish")
    _, os1_side = await chess.engine.popen_uci(path)
    _, fixed = await chess.engine.popen_uci(path)
    await os1_side.configure({"UCI_LimitStrength": True, "UCI_Elo": elo})
    results: list[float] = []
    try:
        for n in range(games):
            board = chess.Board()
            os1_white = n % 2 == 0
            while not board.is_game_over(claim_draw=True) and board.ply() < 300:
                ours = board.turn == (chess.WHITE if os1_white else chess.BLACK)
                limit = chess.engine.Limit(time=move_time) if ours else chess.engine.Limit(depth=depth)
                played = await (os1_side if ours else fixed).play(board, limit)
                assert played.move is not None
                board.push(played.move)
            outcome = board.outcome(claim_draw=True)
            if outcome is None or outcome.winner is None:
                results.append(0.5)
            else:
                results.append(1.0 if outcome.winner == (chess.WHITE if os1_white else chess.BLACK) else 0.0)
    finally:
        await os1_side.quit()
        await fixed.quit()
    score = statistics.fmean(results)
    diff, _ = elo_diff(score, games)
    spread = statistics.pstdev(results) / math.sqrt(games) if games > 1 else 0.5
    slope = 400 / (math.log(10) * max(score * (1 - score), 0.25 / games))
    return {"setting": elo, "games": games, "score": round(score, 3), "elo_diff": round(diff),
            "error": round(max(spread, 0.5 / games) * slope)}


async def session() -> Table:
    table = Table(CaveGame(SEED), None)
    await table.open(resume=False)
    await table.play("no")
    while len(table.game.save()["moves"]) < MOVES and not table.screen.over:
        await table.take_turn()
    return table


def questions(table: Table, rng: random.Random) -> list[tuple[str, bool]]:
    """(question, answered correctly) pairs, checked against the engine."""
    moves = list(table.game.save()["moves"])
    engine = _replayed(SEED, moves)
    asked: list[tuple[str, bool]] = []
    for thing, where in sorted(table.atlas.things.items()):
        same = [o for o in engine.object_list if o.names and o.names[0] == thing]  # two rods
        if not same:
            continue
        answer = table.atlas.answer(f"where is the {thing}?") or ""
        if where == CARRIED:
            right = any(o.is_toting for o in same) and "carrying" in answer
        else:
            rooms = {f"room:{room.n}" for o in same for room in o.rooms}
            right = where in rooms and table.atlas.name(where) in answer
        asked.append((f"where is the {thing}?", right))
    names = sorted({table.atlas.name(k) for k in table.atlas.places})
    unique = [n for n in names if sum(1 for k in table.atlas.places if table.atlas.name(k) == n) == 1]
    for goal in rng.sample(unique, min(len(unique), 20)):
        asked.append((f"how do we get to the {goal}?", walks_to(table, moves, None, goal)))
    for start, goal in [tuple(rng.sample(unique, 2)) for _ in range(10)]:
        asked.append((f"how do we get from the {start} to the {goal}?", walks_to(table, moves, start, goal)))
    return asked


def walks_to(table: Table, moves: list[str], start: str | None, goal: str) -> bool:
    """Whether the route the map gives really leads there in the game (from where the session
    ended, walking first to ``start`` when one is named)."""
    engine = _replayed(SEED, moves)
    lamp = engine.objects["lamp"]  # walk with the lamp lit: the map is judged, not the dark
    lamp.carry()
    lamp.is_toting, lamp.prop = True, 1
    legs = ([start] if start else []) + [goal]
    here_key = table.atlas.here
    for leg in legs:
        target = table.atlas.find_place(leg)
        if target is None or here_key is None:
            return False
        steps = table.atlas.route(here_key, target)
        if steps is None:
            return False
        for step in steps:
            engine.do_command(step.split())
        if f"room:{engine.loc.n}" != target:
            return False
        here_key = target
    return True


async def overhead() -> tuple[float, float]:
    """Per move: the time of a line said at the table, down the co-player path every front end
    uses (reading the line, the game, screen reading, map, a suggestion), minus the bare game's."""
    table = await session()
    moves = list(table.game.save()["moves"])
    bare, seated = CaveGame(SEED), Table(CaveGame(SEED), None)
    await bare.start()
    await seated.open(resume=False)
    play = TextPlay(seated, Persona.from_profile({"user_name": "Theo", "os_name": "Ada"}))
    added: list[float] = []
    for move in moves:
        t0 = time.perf_counter()
        await bare.act(move)
        t1 = time.perf_counter()
        answer = await play.say(move)
        assert answer.move and not answer.error, (move, answer)
        seated.suggest()
        t2 = time.perf_counter()
        added.append(((t2 - t1) - (t1 - t0)) * 1000)
    added.sort()
    return added[len(added) // 2], added[int(len(added) * 0.95)]


async def main(args: argparse.Namespace) -> dict[str, Any]:
    elos = [int(e) for e in args.elos.split(",") if e.strip()]  # --elos "": the cave alone
    strength = [await match(e, args.depth, args.games, args.move_time) for e in elos]
    table = await session()
    asked = questions(table, random.Random(SEED))
    p50, p95 = await overhead()
    return {"elo": strength, "opponent_depth": args.depth,
            "session_moves": len(table.game.save()["moves"]), "places_known": len(table.atlas.places),
            "memory_questions": len(asked),
            "memory_accuracy": round(sum(right for _, right in asked) / max(len(asked), 1), 3),
            "memory_misses": [q for q, right in asked if not right],
            "move_overhead_p50_ms": round(p50, 3), "move_overhead_p95_ms": round(p95, 3)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--games", type=int, default=10, help="games per Elo setting")
    parser.add_argument("--depth", type=int, default=1, help="the fixed opponent's search depth")
    parser.add_argument("--elos", default="1350,1800,2400")
    parser.add_argument("--move-time", type=float, default=0.05, help="seconds per move for os1's side")
    result = asyncio.run(main(parser.parse_args()))
    if parser.parse_args().json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
