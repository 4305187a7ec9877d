"""The onnxruntime MiniLM gives sentence-transformers' vectors, and exports once per cache folder."""

from __future__ import annotations

import numpy as np
import pytest

from agent.config import Config
from retrieval.embedders import _text_embedder
from retrieval.onnx_text import OnnxTextEmbedder


@pytest.mark.slow
def test_onnx_vectors_match_sentence_transformers(tmp_path, recwarn):
    texts = ["how many thing are there", "What is written on the bus?", "word " * 400, "Ünïcödé “quotes” – dash", ""]
    onnx = _text_embedder("all-minilm-l6-v2", "onnx", str(tmp_path))
    # a first run exports the model; the exporter's TracerWarnings must not reach the user's screen
    assert not [w for w in recwarn if "Tracer" in type(w.message).__name__], [str(w.message) for w in recwarn]
    torch = _text_embedder("all-minilm-l6-v2", "torch", str(tmp_path))
    assert isinstance(onnx, OnnxTextEmbedder)
    a, b = onnx.embed_texts(texts), torch.embed_texts(texts)
    assert a.shape == b.shape == (len(texts), 384)
    assert np.allclose(a, b, atol=1e-4), (a * b).sum(1)
    assert list(tmp_path.glob("minilm-*.onnx"))  # exported once, reused by every later process
    assert onnx.embed_texts([]).shape == (0, 384)


def test_default_runtime_is_onnx():
    assert Config().embedder.runtime == "onnx"
