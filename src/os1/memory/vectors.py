"""An in-process exact vector index: one contiguous float32 matrix searched with a matrix-vector
product. At 100k 384-d vectors that is a few milliseconds on one core, faster than an extension
scanning SQLite pages, and exact. The SQLite ``vectors`` table stays the source of truth; this
index mirrors it and is rebuilt when another process changes the store.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from os1.memory.base import Vectors


class VectorIndex:
    """Vectors by memory id, with add, remove and top-k by inner product."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._matrix: Vectors = np.zeros((1024, dim), dtype=np.float32)
        self._ids: npt.NDArray[np.int64] = np.zeros(1024, dtype=np.int64)
        self._row: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._row)

    def clear(self) -> None:
        self._row.clear()

    def add(self, memory_id: int, vector: Vectors) -> None:
        if memory_id in self._row:
            self._matrix[self._row[memory_id]] = vector
            return
        n = len(self._row)
        if n == len(self._ids):
            self._matrix = np.concatenate([self._matrix, np.zeros_like(self._matrix)])
            self._ids = np.concatenate([self._ids, np.zeros_like(self._ids)])
        self._matrix[n] = vector
        self._ids[n] = memory_id
        self._row[memory_id] = n

    def add_many(self, ids: list[int], vectors: Vectors) -> None:
        for memory_id, vector in zip(ids, vectors, strict=True):
            self.add(memory_id, vector)

    def remove(self, memory_id: int) -> None:
        """Delete by moving the last row into the hole."""
        row = self._row.pop(memory_id, None)
        if row is None:
            return
        last = len(self._row)
        if row != last:
            moved = int(self._ids[last])
            self._matrix[row] = self._matrix[last]
            self._ids[row] = moved
            self._row[moved] = row
        self._matrix[last] = 0.0

    def search(self, query: Vectors, k: int) -> list[tuple[int, float]]:
        """The ``k`` nearest ids by inner product (cosine for normalised vectors), best first."""
        n = len(self._row)
        if n == 0 or k <= 0:
            return []
        scores = self._matrix[:n] @ query
        k = min(k, n)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(self._ids[i]), float(scores[i])) for i in top]
