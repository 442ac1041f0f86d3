"""Erasing with proof. Each file of the person's folder (their store and its write-ahead log and
shared memory, the action ledger, letters, plans, mail index, pictures, pieces, any backup beside
them) is overwritten with zeros, synced and removed, then the folder itself. Then a check reads
the bytes of every file still under the data directory and the cache, looking for traces: words
the person said and the bytes of their pictures. The proof names what was erased (path, size,
SHA-256 before) and what the check read, never the words it looked for.

Overwriting is what a program can do; on flash storage and copy-on-write file systems old blocks
may survive below the file system, which docs/goodbye.md says plainly.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from os1.goodbye.keepsakes import Keepsakes

MARKERS = 40  # traces looked for
MARKER_CHARS = 32  # of each, taken from the middle of something the person said
CHUNK = 1 << 20


@dataclass
class Proof:
    erased: list[dict[str, object]] = field(default_factory=list)  # path, bytes, sha256
    folders: list[str] = field(default_factory=list)
    checked_files: int = 0
    checked_bytes: int = 0
    traces_looked_for: int = 0
    traces_found: list[str] = field(default_factory=list)  # files where a trace was found
    remaining: list[str] = field(default_factory=list)  # erased paths that still exist
    rows_erased: dict[str, int] = field(default_factory=dict)  # a server's rows and keys, per place
    rows_left: dict[str, int] = field(default_factory=dict)  # counted again afterwards: only non-zero
    at: str = ""

    @property
    def clean(self) -> bool:
        return not self.traces_found and not self.remaining and not self.rows_left

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "clean": self.clean}


def markers(k: Keepsakes) -> list[bytes]:
    """What would betray the person's data: the middle of their longest own utterances, and the
    first bytes of each picture."""
    said = sorted((m.text for m in k.memories if m.kind == "utterance" and m.role == "user"
                   and len(m.text) >= MARKER_CHARS), key=len, reverse=True)[:MARKERS]
    found = []
    for text in said:
        middle = (len(text) - MARKER_CHARS) // 2
        found.append(text[middle:middle + MARKER_CHARS].encode("utf-8"))
    found += [data[:64] for _, data in k.images.values() if len(data) >= 64]
    return found


def _shred(path: Path) -> dict[str, object]:
    """Overwrite a file with zeros, sync, remove it; what it was."""
    digest = hashlib.sha256()
    size = path.stat().st_size
    with path.open("r+b") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            digest.update(block)
        f.seek(0)
        left = size
        while left:
            n = min(left, CHUNK)
            f.write(b"\0" * n)
            left -= n
        f.flush()
        os.fsync(f.fileno())
    path.unlink()
    return {"path": str(path), "bytes": size, "sha256": digest.hexdigest()}


def erase(folders: Sequence[Path], proof: Proof) -> None:
    """Overwrite and remove every file in ``folders``, then the folders."""
    for folder in folders:
        if not folder.exists():
            continue
        for path in sorted(folder.rglob("*"), reverse=True):
            if path.is_symlink():
                path.unlink()
            elif path.is_file():
                proof.erased.append(_shred(path))
        shutil.rmtree(folder, ignore_errors=True)
        proof.folders.append(str(folder))
        if folder.exists():
            proof.remaining.append(str(folder))


def check(roots: Iterable[Path], traces: Sequence[bytes], proof: Proof, skip: Sequence[Path] = ()) -> None:
    """Read every file under ``roots`` (but those under ``skip``: the export, and on a server
    the other people's folders) and note any holding a trace."""
    proof.traces_looked_for = len(traces)
    longest = max((len(t) for t in traces), default=0)
    for root in roots:
        for path in sorted(root.rglob("*")) if root.is_dir() else []:
            if not path.is_file() or path.is_symlink() or any(path.is_relative_to(s) for s in skip):
                continue
            proof.checked_files += 1
            if _holds(path, traces, longest, proof):
                proof.traces_found.append(str(path))
    proof.at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _holds(path: Path, traces: Sequence[bytes], longest: int, proof: Proof) -> bool:
    """Whether the file's bytes hold any trace (read in blocks, overlapping by a trace's length)."""
    tail = b""
    try:
        with path.open("rb") as f:
            for block in iter(lambda: f.read(CHUNK), b""):
                proof.checked_bytes += len(block)
                window = tail + block
                if any(t in window for t in traces):
                    return True
                tail = window[-longest:] if longest else b""
    except OSError:
        return False
    return False
