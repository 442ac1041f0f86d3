"""A GGUF's Q4_1 weights rewritten as Q8_0, cached beside os1's other derived model files.

llama.cpp reads a prompt faster from Q8_0 weights than from Q4_1 ones on a CPU (measured in
docs/dependencies.md), and a turn's prompt (the memories recalled, the user's words) is read
anew each turn. Q8_0 holds each Q4_1 value to within a small fraction of its Q4_1 step; the
replies are not word for word the shipped file's where its best tokens nearly tie. The rewrite
is llama.cpp's own ``gguf`` package. It takes a few seconds once; the file is then found by the
source's size and time, kept whole by a rename, with a sidecar saying the size it was written at.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

REWRITE_VERSION = 1
SUFFIX = ".gguf"


def cached_q8(source: Path, cache_dir: Path) -> Path:
    """``source`` with its Q4_1 tensors as Q8_0: its cached path, written there if missing or
    cut short. A file without Q4_1 tensors, or a cache that cannot be written, gives ``source``."""
    info = source.stat()
    target = cache_dir / f"{source.stem}-{info.st_size}-{info.st_mtime_ns}-q8_0-v{REWRITE_VERSION}{SUFFIX}"
    if _intact(target):
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=SUFFIX)
        os.close(fd)
    except OSError:
        return source  # a read-only cache: the shipped file, read as it is
    try:
        if not rewrite(source, Path(tmp)):
            return source
        os.replace(tmp, target)
        _mark(target)
        _drop_older(target, source.stem)
    except (OSError, ValueError):  # a full disk, or a file gguf cannot read: run the source
        return source
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target


def rewrite(source: Path, target: Path) -> bool:
    """Write ``source`` to ``target`` with each Q4_1 tensor requantized to Q8_0, everything else
    (metadata, tokenizer, other tensors) as it was; False (and nothing written) if it has none."""
    import gguf
    import numpy as np

    reader = gguf.GGUFReader(source)
    q41 = gguf.GGMLQuantizationType.Q4_1
    if not any(t.tensor_type == q41 for t in reader.tensors):
        return False
    writer = gguf.GGUFWriter(target, str(reader.fields["general.architecture"].contents()))
    for name, field in reader.fields.items():
        if name.startswith("GGUF.") or name == "general.architecture":
            continue  # the header's own fields, written by the writer
        kind = field.types[0]
        sub = field.types[-1] if kind == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(name, field.contents(), kind, sub_type=sub)
    for tensor in reader.tensors:
        if tensor.tensor_type == q41:
            shape = tuple(int(n) for n in reversed(tensor.shape))  # rows last, as numpy has them
            values = gguf.quants.dequantize(tensor.data, q41).reshape(shape).astype(np.float32)
            data = gguf.quants.quantize(values, gguf.GGMLQuantizationType.Q8_0)
            writer.add_tensor(tensor.name, data, raw_shape=data.shape,
                              raw_dtype=gguf.GGMLQuantizationType.Q8_0)
        else:
            writer.add_tensor(tensor.name, tensor.data, raw_shape=tensor.data.shape,
                              raw_dtype=tensor.tensor_type)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return True


def _drop_older(target: Path, stem: str) -> None:
    """Remove the rewrites of earlier copies of the same file (a reinstalled wheel changes its
    time), so that the cache holds one rewrite per model, not one per install."""
    for old in target.parent.glob(f"{stem}-*-q8_0-v*{SUFFIX}*"):
        if old.name not in (target.name, target.name + ".size"):
            old.unlink(missing_ok=True)


def _mark(path: Path) -> None:
    """Record the finished file's size beside it."""
    path.with_name(path.name + ".size").write_text(str(path.stat().st_size))


def _intact(path: Path) -> bool:
    """The file exists at the size it was finished at."""
    try:
        return int(path.with_name(path.name + ".size").read_text()) == path.stat().st_size
    except (OSError, ValueError):
        return False
