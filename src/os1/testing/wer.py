"""Word error rate as speech research scores it: Whisper's English text normaliser (numbers,
spellings, punctuation) applied to both sides, then jiwer's alignment. Needs the dev extra."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def normalise(text: str) -> str:
    from whisper_normalizer.english import EnglishTextNormalizer

    return str(EnglishTextNormalizer()(text))


def word_error_rate(references: Sequence[str], hypotheses: Sequence[str]) -> float:
    """Corpus WER: all errors over all reference words."""
    import jiwer

    refs = [normalise(r) for r in references]
    hyps = [normalise(h) for h in hypotheses]
    return float(jiwer.wer(refs, hyps))


def speech_clips(folder: Path) -> list[tuple[Path, str]]:
    """(wav, reference) pairs from a folder with ``refs.tsv`` (file, seconds, transcript)."""
    pairs = []
    for line in (folder / "refs.tsv").read_text().splitlines()[1:]:
        name, _, reference = line.split("\t")
        pairs.append((folder / name, reference))
    return pairs
