from __future__ import annotations

import numpy as np

from os1.voice.player import BLOCK, Player


def tone(blocks: int) -> np.ndarray:
    return np.full(blocks * BLOCK, 0.5, dtype=np.float32)


def test_ledger_counts_whole_pieces_and_the_played_share_of_a_cut_one() -> None:
    player = Player(lambda: 0.0)
    player.play(tone(2), "one two", 1)
    player.play(tone(10), "a b c d e f g h i j", 1)
    for _ in range(2 + 5):
        player.pull()
    player.stop()
    assert player.heard(1) == "one two a b c d e"
    assert not player.speaking
    assert not player.pull().any()  # nothing left to play


def test_pause_is_silent_and_resume_continues_where_it_stopped() -> None:
    player = Player(lambda: 0.0)
    samples = np.linspace(-1, 1, 4 * BLOCK, dtype=np.float32)
    player.play(samples, "hello", 1)
    first = player.pull()
    assert player.pause()
    assert not player.pull().any()
    player.resume()
    assert np.array_equal(player.pull(), samples[BLOCK:2 * BLOCK])
    assert np.array_equal(first, samples[:BLOCK])


def test_callbacks_for_first_audio_and_reply_end() -> None:
    now = [1.5]
    player = Player(lambda: now[0])
    firsts: list[tuple[int, float]] = []
    ends: list[int] = []
    player.on_first_audio = lambda turn, at: firsts.append((turn, at))
    player.on_reply_end = ends.append
    player.play(tone(1), "hi", 3)
    player.end_reply(3)
    player.pull()
    assert firsts == [(3, 1.5)] and ends == []
    player.pull()
    assert ends == [3]
    assert player.heard(3) == "hi"


def test_stop_ends_the_reply() -> None:
    player = Player(lambda: 0.0)
    ends: list[int] = []
    player.on_reply_end = ends.append
    player.play(tone(5), "never heard", 2)
    player.end_reply(2)
    player.stop()
    assert ends == [2] and player.heard(2) == ""
