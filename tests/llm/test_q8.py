"""The bundled GGUF's Q4_1 weights rewritten as Q8_0 (``llm/q8.py``), on small GGUF files made
here: every Q4_1 tensor becomes Q8_0 with the same values to within a fraction of a Q4_1 step,
everything else is carried over, and the cached file is reused, rebuilt when cut short, and
skipped when it cannot be written."""

from __future__ import annotations

import os
from pathlib import Path

import gguf
import numpy as np
import pytest

from os1.llm.q8 import cached_q8

Q41, Q80 = gguf.GGMLQuantizationType.Q4_1, gguf.GGMLQuantizationType.Q8_0


def small_gguf(path: Path, *, quantized: bool = True) -> np.ndarray:
    """A GGUF with metadata, one weight matrix (Q4_1 if ``quantized``) and one float vector;
    returns the matrix's values as the file holds them."""
    rng = np.random.default_rng(5)
    weights = rng.normal(scale=0.05, size=(8, 64)).astype(np.float32)
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_name("tiny")
    writer.add_context_length(128)
    writer.add_token_list(["<s>", "</s>", "hello"])
    if quantized:
        data = gguf.quants.quantize(weights, Q41)
        writer.add_tensor("blk.0.ffn_up.weight", data, raw_shape=data.shape, raw_dtype=Q41)
        weights = gguf.quants.dequantize(data, Q41).reshape(weights.shape)
    else:
        writer.add_tensor("blk.0.ffn_up.weight", weights)
    writer.add_tensor("output_norm.weight", np.linspace(0.5, 1.5, 64, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return weights


def test_q4_1_tensors_become_q8_0_with_the_same_values(tmp_path: Path) -> None:
    source = tmp_path / "tiny.gguf"
    weights = small_gguf(source)
    target = cached_q8(source, tmp_path / "cache")
    assert target.parent == tmp_path / "cache" and target != source
    before, after = gguf.GGUFReader(source), gguf.GGUFReader(target)
    types = {t.name: t.tensor_type for t in after.tensors}
    assert types == {"blk.0.ffn_up.weight": Q80, "output_norm.weight": gguf.GGMLQuantizationType.F32}
    matrix = next(t for t in after.tensors if t.tensor_type == Q80)
    values = gguf.quants.dequantize(matrix.data, Q80).reshape(weights.shape)
    blocks = weights.reshape(-1, 32)
    step = (blocks.max(1) - blocks.min(1)) / 15  # each Q4_1 block's step
    assert np.all(np.abs(values.reshape(-1, 32) - blocks).max(1) <= step / 8)
    norm = next(t for t in after.tensors if t.name == "output_norm.weight")
    assert np.array_equal(norm.data, np.linspace(0.5, 1.5, 64, dtype=np.float32))
    for key in ("general.name", "llama.context_length", "tokenizer.ggml.tokens"):
        assert after.fields[key].contents() == before.fields[key].contents()


def test_the_rewrite_is_reused_and_rebuilt_when_cut_short(tmp_path: Path) -> None:
    source = tmp_path / "tiny.gguf"
    small_gguf(source)
    target = cached_q8(source, tmp_path / "cache")
    written = target.stat().st_mtime_ns
    assert cached_q8(source, tmp_path / "cache") == target
    assert target.stat().st_mtime_ns == written  # reused, not written again
    size = target.stat().st_size
    with target.open("r+b") as f:
        f.truncate(size // 2)
    assert cached_q8(source, tmp_path / "cache") == target
    assert target.stat().st_size == size
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".tmp-")]


def test_a_reinstalled_source_leaves_one_rewrite_in_the_cache(tmp_path: Path) -> None:
    source = tmp_path / "tiny.gguf"
    small_gguf(source)
    first = cached_q8(source, tmp_path / "cache")
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 10**9))
    second = cached_q8(source, tmp_path / "cache")
    assert second != first
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [second.name, second.name + ".size"]


def test_a_file_without_q4_1_or_a_cache_that_cannot_be_written_gives_the_source(tmp_path: Path) -> None:
    plain = tmp_path / "plain.gguf"
    small_gguf(plain, quantized=False)
    assert cached_q8(plain, tmp_path / "cache") == plain
    assert not list((tmp_path / "cache").iterdir())
    source = tmp_path / "tiny.gguf"
    small_gguf(source)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert cached_q8(source, blocked / "cache") == source  # the cache folder cannot be made


def test_a_file_gguf_cannot_read_gives_the_source(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.gguf"
    damaged.write_bytes(b"GGUF" + os.urandom(200))
    assert cached_q8(damaged, tmp_path / "cache") == damaged
    assert not list((tmp_path / "cache").iterdir())


@pytest.mark.integration
async def test_the_bundled_model_runs_from_its_q8_0_rewrite() -> None:
    from os1.config import default_cache_dir
    from os1.llm.llamacpp import LlamaCppModel

    model = LlamaCppModel(context_tokens=512)
    try:
        said = await model.check()
    finally:
        await model.aclose()
    assert model.running.parent == default_cache_dir() and model.running.name.endswith("-q8_0-v1.gguf")
    assert said == f"loaded {model.running}"
    kinds = {t.tensor_type for t in gguf.GGUFReader(model.running).tensors}
    assert Q80 in kinds and Q41 not in kinds
