"""The int8 rewrite of MiniLM's graph: what it fuses, and what it leaves alone."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import helper, numpy_helper

from os1.memory.embedding.embedders import MiniLMEmbedder
from os1.memory.embedding.int8_graph import SUFFIX, drop_nan_guards, fuse_gelu


def test_rewritten_graph_runs_products_merged_and_gelu_fused(tmp_path: Path) -> None:
    MiniLMEmbedder(cache_dir=tmp_path).embed(["warm up"])
    (path,) = tmp_path.glob(f"*{SUFFIX}")
    ops = Counter(node.op_type for node in onnx.load(str(path)).graph.node)
    # 6 layers x (Q, K and V as one product + 3 more); each FFN's bias and GELU as one op
    assert ops["MatMulIntegerToFloat"] == 24 and ops["Split"] == 6 and ops["BiasGelu"] == 6
    assert not ops["MatMulInteger"] and not ops["Erf"] and not ops["IsNaN"]


def _consts(**values: float) -> dict[str, Any]:
    return {name: numpy_helper.from_array(np.float32(v), name) for name, v in values.items()}


def _gelu(half: str) -> list[Any]:
    n = helper.make_node
    return [n("Add", ["x", "bias"], ["a"]), n("Div", ["a", "sqrt2"], ["d"]), n("Erf", ["d"], ["e"]),
            n("Add", ["e", "one"], ["e1"]), n("Mul", [half, "e1"], ["h"]), n("Mul", ["a", "h"], ["y"])]


def test_gelu_pattern_becomes_one_bias_gelu() -> None:
    consts = {**_consts(sqrt2=np.sqrt(2), one=1.0, half=0.5, other=0.4),
              "bias": numpy_helper.from_array(np.zeros(4, np.float32), "bias")}
    (fused,) = fuse_gelu(_gelu("half"), consts)
    assert fused.op_type == "BiasGelu" and list(fused.input) == ["x", "bias"] and list(fused.output) == ["y"]
    assert [n.op_type for n in fuse_gelu(_gelu("other"), consts)] == [n.op_type for n in _gelu("other")]


def test_only_the_nan_guard_after_a_softmax_is_dropped() -> None:
    n = helper.make_node
    nodes = [n("Softmax", ["s"], ["p"]), n("IsNaN", ["p"], ["bad"]), n("Where", ["bad", "zero", "p"], ["g"]),
             n("MatMul", ["g", "v"], ["out"]),
             n("Add", ["s", "s"], ["t"]), n("IsNaN", ["t"], ["bad2"]),
             n("Where", ["bad2", "zero", "t"], ["g2"])]
    kept = drop_nan_guards(nodes)
    assert [x.op_type for x in kept] == ["Softmax", "MatMul", "Add", "IsNaN", "Where"]
    assert list(kept[1].input) == ["p", "v"]
