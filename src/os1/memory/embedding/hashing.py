"""The ``hash`` embedder: feature hashing of words and word stems, instant and deterministic.
Similar wording gives similar vectors; nothing about meaning. For tests and for trying os1
without the model (``memory.embedder = "hash"``)."""

from __future__ import annotations

import hashlib
import re

import numpy as np

from os1.memory.base import Pieces, Vectors


class HashEmbedder:
    """Feature hashing of words and word stems: similar wording gives similar vectors."""

    model_id = "fake-hash-64"
    dim = 64

    def embed(self, texts: list[str]) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                for feature in (word, word[:5]):
                    h = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=4).digest())
                    out[row, h % self.dim] += 1.0 if h & 1 << 31 else -1.0
            norm = float(np.linalg.norm(out[row]))
            if norm:
                out[row] /= norm
        return out

    def embed_pieces(self, texts: list[str], pieces: list[Pieces]) -> list[Vectors]:
        """Each text (without its context) and each piece (after its lead) hashed on its own."""
        out: list[Vectors] = []
        for text, where in zip(texts, pieces, strict=True):
            own = text[where.context : where.end or len(text)]
            out.append(self.embed([own, *(f"{own[: where.lead]} {own[a:b]}" for a, b in where.spans)]))
        return out
