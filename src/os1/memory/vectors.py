"""An in-process vector index: one contiguous float32 matrix, plus a sign-bit copy of it.

Up to ``EXACT_LIMIT`` vectors, search is an exact matrix-vector product. Beyond that, reading the
whole float matrix costs more than a turn can spend (about 9 ms at 100k x 384), so search first
ranks every vector by Hamming distance on its sign bits (48 bytes each), then rescores the best
few hundred exactly. The SQLite ``vectors`` table stays the source of truth; this index mirrors it
and is rebuilt when another process changes the store.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from os1.memory.base import Vectors

EXACT_LIMIT = 20_000
RESCORE_POOL = 400


def sign_bits(vectors: Vectors) -> npt.NDArray[np.uint64]:
    """Each row's sign pattern packed into 64-bit words (rows padded to whole words)."""
    rows = np.atleast_2d(vectors)
    pad = (-rows.shape[1]) % 64
    positive = rows > 0
    if pad:  # np.pad copies even when there is nothing to add (MiniLM's 384 is whole words)
        positive = np.pad(positive, ((0, 0), (0, pad)))
    return np.packbits(positive, axis=1).view(np.uint64)


class VectorIndex:
    """Vectors by memory id, with add, remove and top-k by inner product."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._matrix: Vectors = np.zeros((1024, dim), dtype=np.float32)
        # sign bits column-major (one contiguous row per 64-bit word): the Hamming pass then runs
        # over long contiguous arrays instead of summing six words per vector
        self._bits: npt.NDArray[np.uint64] = np.zeros(((dim + 63) // 64, 1024), dtype=np.uint64)
        self._ids: npt.NDArray[np.int64] = np.zeros(1024, dtype=np.int64)
        self._row: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._row)

    def clear(self) -> None:
        self._row.clear()

    def add(self, memory_id: int, vector: Vectors) -> None:
        row = self._row.get(memory_id)
        if row is None:
            row = len(self._row)
            if row == len(self._ids):
                self._grow()
            self._ids[row] = memory_id
            self._row[memory_id] = row
        self._matrix[row] = vector
        self._bits[:, row] = sign_bits(vector)[0]

    def _grow(self) -> None:
        self._matrix = np.concatenate([self._matrix, np.zeros_like(self._matrix)])
        self._bits = np.concatenate([self._bits, np.zeros_like(self._bits)], axis=1)
        self._ids = np.concatenate([self._ids, np.zeros_like(self._ids)])

    def add_many(self, ids: list[int], vectors: Vectors) -> None:
        """Add many at once (a reload of 100k vectors is array copies, not a Python loop)."""
        if not self._row and len(set(ids)) == len(ids):
            n = len(ids)
            while len(self._ids) < n:
                self._grow()
            self._matrix[:n] = vectors
            self._bits[:, :n] = sign_bits(vectors).T
            self._ids[:n] = ids
            self._row = {memory_id: row for row, memory_id in enumerate(ids)}
            return
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
            self._bits[:, row] = self._bits[:, last]
            self._ids[row] = moved
            self._row[moved] = row
        self._matrix[last] = 0.0

    def similarities(self, ids: Iterable[int], query: Vectors) -> dict[int, float]:
        """Inner products of ``query`` with the given ids' vectors (ids without one are left out)."""
        found = [(memory_id, row) for memory_id in ids if (row := self._row.get(memory_id)) is not None]
        if not found:
            return {}
        scores = self._matrix[[row for _, row in found]] @ query
        return {memory_id: float(s) for (memory_id, _), s in zip(found, scores, strict=True)}

    def vectors(self, ids: Iterable[int]) -> dict[int, Vectors]:
        """Copies of the given ids' vectors (ids without one are left out)."""
        return {memory_id: self._matrix[row].copy() for memory_id in ids
                if (row := self._row.get(memory_id)) is not None}

    def _prefilter(self, query: Vectors, pool: int, n: int) -> npt.NDArray[np.intp]:
        """Rows of the ``pool`` or so vectors nearest in Hamming distance of sign bits: a
        histogram of distances gives the cut-off, so no sort or partition of all ``n`` is needed."""
        words = sign_bits(query)[0]
        distance = np.bitwise_count(self._bits[0, :n] ^ words[0]).astype(np.uint16)
        for j in range(1, len(words)):
            distance += np.bitwise_count(self._bits[j, :n] ^ words[j])
        counts = np.cumsum(np.bincount(distance, minlength=64 * len(words) + 1))
        cutoff = int(np.searchsorted(counts, pool))
        rows = np.flatnonzero(distance <= cutoff)
        if len(rows) > 2 * pool:  # many ties at the cut-off: keep the nearest
            rows = rows[np.argpartition(distance[rows], pool - 1)[:pool]]
        return rows

    def search(self, query: Vectors, k: int) -> list[tuple[int, float]]:
        """The ``k`` nearest ids by inner product (cosine for unit vectors), best first."""
        n = len(self._row)
        if n == 0 or k <= 0:
            return []
        if n <= EXACT_LIMIT:
            rows = np.arange(n)
            scores = self._matrix[:n] @ query  # a view: no copy of the matrix
        else:
            rows = self._prefilter(query, min(n, max(RESCORE_POOL, 8 * k)), n)
            scores = self._matrix[rows] @ query
        k = min(k, len(rows))
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best])]
        return [(int(self._ids[rows[i]]), float(scores[i])) for i in best]
