"""The in-process vector index, exact and with the sign-bit prefilter."""

from __future__ import annotations

import numpy as np
import pytest

from os1.memory.backends.sqlite import index as vectors
from os1.memory.backends.sqlite.index import VectorIndex


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_exact_search_add_remove() -> None:
    index = VectorIndex(4)
    m = unit(np.eye(4, dtype=np.float32) + 0.01)
    index.add_many([10, 11, 12, 13], m)
    assert index.search(m[2], 1)[0][0] == 12
    index.remove(12)
    assert 12 not in [i for i, _ in index.search(m[2], 4)]
    assert len(index) == 3
    index.add(11, m[3])  # replace in place
    assert index.search(m[3], 2)[0][0] in (11, 13) and len(index) == 3


@pytest.mark.parametrize("n", [50, 3000])
def test_prefilter_finds_the_same_neighbours(n: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    data = unit(rng.normal(size=(n, 64)).astype(np.float32))
    exact = VectorIndex(64)
    exact.add_many(list(range(n)), data)
    monkeypatch.setattr(vectors, "EXACT_LIMIT", 10)
    monkeypatch.setattr(vectors, "RESCORE_POOL", 300)
    approx = VectorIndex(64)
    approx.add_many(list(range(n)), data)
    found = 0
    for q in unit(data[:20] + rng.normal(scale=0.3, size=(20, 64)).astype(np.float32)):
        want = {i for i, _ in exact.search(q, 5)}
        got = {i for i, _ in approx.search(q, 5)}
        found += len(want & got)
    assert found >= 0.9 * 100  # at least 90% of the true top-5 survive the prefilter
