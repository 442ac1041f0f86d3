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
from os1.memory.ranking import PIECE_SLOTS

EXACT_LIMIT = 20_000
RESCORE_POOL = 400
DENSE_SHARE = 8  # similarities for 1/8 of the rows or more are read off one full matrix product


def dot(matrix: Vectors, query: Vectors) -> Vectors:
    """Each row of ``matrix`` times ``query``. einsum runs it on this thread: a BLAS product of
    more than about a thousand rows wakes OpenBLAS's thread pool, whose hand-offs cost up to
    ~12 ms at p95 on a busy 2-core machine (2000 x 384: BLAS p50 0.02 ms / p95 12 ms, einsum
    0.11 / 0.18 ms; at 20k rows both take ~1.1 ms at p50)."""
    scores: Vectors = np.einsum("ij,j->i", matrix, query)
    return scores


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
        rows = [row for _, row in found]
        n = len(self._row)
        if len(rows) * DENSE_SHARE >= n:  # many of the rows: one pass over the matrix beats a gather
            scores = dot(self._matrix[:n], query)[rows]
        else:
            scores = dot(self._matrix[rows], query)
        return dict(zip([memory_id for memory_id, _ in found], scores.tolist(), strict=True))

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
            scores = dot(self._matrix[:n], query)  # a view: no copy of the matrix
        else:
            rows = self._prefilter(query, min(n, max(RESCORE_POOL, 8 * k)), n)
            scores = dot(self._matrix[rows], query)
        k = min(k, len(rows))
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best])]
        return [(int(self._ids[rows[i]]), float(scores[i])) for i in best]


class PieceIndex:
    """Several vectors per memory (its sentences, see ``ranking.sentences``), held in one
    ``VectorIndex`` under the keys ``memory_id * PIECE_SLOTS + n``."""

    def __init__(self, dim: int) -> None:
        self._index = VectorIndex(dim)
        self._count: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._index)

    def clear(self) -> None:
        self._index.clear()
        self._count.clear()

    def put(self, memory_id: int, vectors: Vectors) -> None:
        """Replace a memory's pieces with ``vectors`` (one row each)."""
        self.remove(memory_id)
        for n, vector in enumerate(vectors[:PIECE_SLOTS]):
            self._index.add(memory_id * PIECE_SLOTS + n, vector)
        self._count[memory_id] = min(len(vectors), PIECE_SLOTS)

    def load(self, keys: list[tuple[int, int]], vectors: Vectors) -> None:
        """Add many (memory id, piece number) rows at once, as a reload does."""
        self._index.add_many([m * PIECE_SLOTS + n for m, n in keys], vectors)
        for memory_id, n in keys:
            self._count[memory_id] = max(self._count.get(memory_id, 0), n + 1)

    def remove(self, memory_id: int) -> None:
        for n in range(self._count.pop(memory_id, 0)):
            self._index.remove(memory_id * PIECE_SLOTS + n)

    def search(self, query: Vectors, k: int) -> list[tuple[int, float]]:
        """The ``k`` nearest pieces as (memory id, similarity), best first; a memory can recur."""
        return [(key // PIECE_SLOTS, sim) for key, sim in self._index.search(query, k)]

    def similarities(self, ids: Iterable[int], query: Vectors) -> dict[int, float]:
        """Each given memory's best piece similarity (memories without pieces are left out)."""
        keys = [m * PIECE_SLOTS + n for m in ids for n in range(self._count.get(m, 0))]
        best: dict[int, float] = {}
        for key, sim in self._index.similarities(keys, query).items():
            memory_id = key // PIECE_SLOTS
            best[memory_id] = max(sim, best.get(memory_id, -1.0))
        return best
