"""Fixtures for retrieval tests: tiny source folders and a fast deterministic embedder.

The bag-of-words embedder keeps control-flow tests fast and exact; tests marked slow use the
real MiniLM model instead.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest
from PIL import Image

from agent.config import Config
from retrieval.describe import caption_only

BOW = "test-bow"


class BowEmbedder:
    """Hashed bag of words: texts sharing words get close vectors."""

    name = BOW
    dim = 64

    def embed_texts(self, texts):
        out = np.zeros((len(texts), self.dim), np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        out[:, 0] += 1e-3  # no zero vectors
        return out / np.linalg.norm(out, axis=1, keepdims=True)


class ColourEmbedder:
    """Mean colour + coarse layout: the same picture finds itself."""

    name = "efficientnet-lite0"
    dim = 48

    def embed_images(self, images):
        feats = [np.asarray(img.convert("RGB").resize((4, 4)), np.float32).reshape(-1) + 1.0 for img in images]
        arr = np.stack(feats)
        return arr / np.linalg.norm(arr, axis=1, keepdims=True)


@pytest.fixture
def bow_config(tmp_path) -> Config:
    return Config(home=str(tmp_path / "home")).replace(**{"embedder.text_model": BOW})


@pytest.fixture
def kb_kwargs() -> dict:
    return {"describer": caption_only, "text_embedder": BowEmbedder(), "image_embedder": ColourEmbedder()}


@pytest.fixture
def src_dir(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "transit.md").write_text(
        "Azul Lines operates the blue city buses. Route 27 runs from the harbour to the old market.\n\n"
        "The Azul Lines depot is on Calle Mayor. The company was founded in 1931.")
    (src / "club.txt").write_text("FC Norte plays at Estadio Viento. Their coach always wears a red tie.")
    (src / "records.jsonl").write_text(
        '{"text": "Whiskers the cat sleeps in the library window.", "topic": "cat"}\n'
        '{"text": "The rocket Aurora launched from pad 3.", "topic": "rocket"}\n')
    Image.new("RGB", (32, 24), (20, 40, 220)).save(src / "bluebus.png")
    (src / "bluebus.txt").write_text("a blue bus of Azul Lines")
    Image.new("RGB", (24, 24), (230, 120, 20)).save(src / "orange_cat.jpg")
    return src
