"""CLIP image/text embeddings and zero-shot classification (transformers CLIPModel)."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from PIL import Image

from agent.errors import ModelUnavailableError

PROMPT = "a photo of {}."


class ClipBackend:
    def __init__(self, model_id: str = "", *, model: Any = None, processor: Any = None) -> None:
        import torch
        import transformers as tf

        if model is None or processor is None:
            try:
                model = tf.CLIPModel.from_pretrained(model_id)
                processor = tf.CLIPProcessor.from_pretrained(model_id)
            except (OSError, ValueError) as exc:
                raise ModelUnavailableError(
                    f"cannot load CLIP model {model_id!r}: {exc}",
                    hint="set embedder.clip_model to a local CLIP directory or a hub id already in the "
                         "Hugging Face cache, or leave it empty") from None
        self.model, self.processor = model.eval(), processor
        self.source = f"clip:{model_id or type(model).__name__}"
        self._torch = torch
        self._lock = threading.Lock()

    @staticmethod
    def _unit(x: Any) -> np.ndarray:
        if not isinstance(x, np.ndarray):  # some versions return a ModelOutput, not a tensor
            x = getattr(x, "pooler_output", x)
            x = x.detach().cpu().numpy()
        x = x.astype(np.float32)
        return x / np.linalg.norm(x, axis=-1, keepdims=True).clip(1e-12)

    def image_features(self, images: Image.Image | list[Image.Image]) -> np.ndarray:
        batch = images if isinstance(images, list) else [images]
        inputs = self.processor(images=[im.convert("RGB") for im in batch], return_tensors="pt")
        with self._lock, self._torch.inference_mode():
            feats = self._unit(self.model.get_image_features(pixel_values=inputs["pixel_values"]))
        return feats if isinstance(images, list) else feats[0]

    def text_features(self, texts: str | list[str]) -> np.ndarray:
        batch = texts if isinstance(texts, list) else [texts]
        inputs = self.processor(text=batch, return_tensors="pt", padding=True)
        with self._lock, self._torch.inference_mode():
            feats = self._unit(self.model.get_text_features(
                input_ids=inputs["input_ids"], attention_mask=inputs.get("attention_mask")))
        return feats if isinstance(texts, list) else feats[0]

    def similarity(self, images: list[Image.Image], text: str) -> np.ndarray:
        """Cosine similarity of each image to one text."""
        return self.image_features(images) @ self.text_features(PROMPT.format(text))

    def zero_shot(self, img: Image.Image, labels: list[str]) -> list[tuple[str, float]]:
        """(label, probability) best first, with CLIP's learned temperature."""
        sims = self.text_features([PROMPT.format(label) for label in labels]) @ self.image_features(img)
        scale = float(self.model.logit_scale.exp().item()) if hasattr(self.model, "logit_scale") else 100.0
        logits = sims * scale
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        order = np.argsort(-probs)
        return [(labels[i], float(probs[i])) for i in order]

    def classify(self, img: Image.Image, k: int = 5, labels: list[str] | None = None) -> list[tuple[str, float]]:
        """Classifier interface: zero-shot over ImageNet class names unless labels are given."""
        if labels is None:
            from tools.classify_efficientnet import imagenet_categories

            labels = imagenet_categories()
        return self.zero_shot(img, labels)[:k]

    def features(self, img: Image.Image | list[Image.Image]) -> np.ndarray:
        return self.image_features(img)
