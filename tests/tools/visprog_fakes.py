"""Test doubles and scenes for the VisProg tools: a CLIP stand-in that reads colours, synthetic pictures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from agent.config import Config
from tools.cache import ToolCache
from tools.context import ToolContext
from tools.models import ModelHub
from tools.types import Detections

RGB = {"red": (220, 30, 30), "blue": (30, 60, 220), "green": (30, 180, 40), "yellow": (240, 220, 40)}


class ColourClip:
    """Scores a crop against a text by the colour word in the text (our own stand-in for CLIP)."""

    source = "fake-clip"

    def _score(self, img: Image.Image, text: str) -> float:
        mean = np.asarray(img.convert("RGB"), dtype=np.float32).reshape(-1, 3).mean(0)
        for word, rgb in RGB.items():
            if word in text.lower():
                return float(1.0 / (1.0 + np.abs(mean - np.array(rgb)).sum() / 100))
        return 0.01

    def similarity(self, images: list[Image.Image], text: str) -> np.ndarray:
        return np.array([self._score(im, text) for im in images])

    def zero_shot(self, img: Image.Image, labels: list[str]) -> list[tuple[str, float]]:
        raw = np.array([self._score(img, label) for label in labels])
        probs = raw / raw.sum()
        return sorted(zip(labels, probs.tolist(), strict=True), key=lambda t: -t[1])


def private_ctx(clip=None, **config) -> ToolContext:
    """A context with its own model hub (installing a fake never leaks into the shared one)."""
    cfg = Config().replace(**config) if config else Config()
    hub = ModelHub(cfg)
    hub.install("clip", clip)
    return ToolContext(config=cfg, models=hub, cache=ToolCache())


def people_scene() -> tuple[Image.Image, Detections]:
    """Three coloured 'people' on a grey floor, as boxes labelled person."""
    img = Image.new("RGB", (240, 120), (120, 120, 120))
    draw = ImageDraw.Draw(img)
    boxes = [(10, 20, 60, 110), (90, 20, 140, 110), (170, 20, 220, 110)]
    for box, colour in zip(boxes, ("red", "blue", "green"), strict=True):
        draw.ellipse(box, fill=RGB[colour])
    dets = Detections(np.array(boxes, dtype=np.float32), np.array([0.9, 0.8, 0.7]), ("person",) * 3, img.size)
    return img, dets


def masked(dets: Detections, extra: dict[str, tuple[int, int, int, int]] | None = None) -> Detections:
    """``dets`` with filled-box masks, plus stuff regions given as boxes (label -> box)."""
    w, h = dets.image_size
    boxes, labels = [*dets.boxes.tolist()], [*dets.labels]
    for label, box in (extra or {}).items():
        boxes.append(list(box))
        labels.append(label)
    masks = np.zeros((len(boxes), h, w), bool)
    for i, (x1, y1, x2, y2) in enumerate(boxes):
        masks[i, int(y1):int(y2), int(x1):int(x2)] = True
    return Detections(np.array(boxes), np.r_[dets.scores, [0.5] * (len(boxes) - len(dets))], tuple(labels),
                      (w, h), "test", (), masks)


def tiny_inpainting_pipeline(folder: Path):
    """A randomly initialised Stable Diffusion inpainting pipeline small enough for CPU tests (no download)."""
    import torch
    from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionInpaintPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    torch.manual_seed(0)
    unet = UNet2DConditionModel(block_out_channels=(8, 16), layers_per_block=1, sample_size=16, in_channels=9,
                                out_channels=4, down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
                                up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"), cross_attention_dim=16,
                                norm_num_groups=4, attention_head_dim=4)
    vae = AutoencoderKL(block_out_channels=(8, 16), in_channels=3, out_channels=3,
                        down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2,
                        latent_channels=4, norm_num_groups=4)
    text = CLIPTextModel(CLIPTextConfig(bos_token_id=0, eos_token_id=2, pad_token_id=1, hidden_size=16,
                                        intermediate_size=32, num_attention_heads=2, num_hidden_layers=1,
                                        vocab_size=64, projection_dim=16))
    vocab = {"<|startoftext|>": 0, "!": 1, "<|endoftext|>": 2}
    for c in "abcdefghijklmnopqrstuvwxyz":
        vocab[c] = len(vocab)
        vocab[c + "</w>"] = len(vocab)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    tokenizer = CLIPTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"), model_max_length=16)
    return StableDiffusionInpaintPipeline(vae=vae, text_encoder=text, tokenizer=tokenizer, unet=unet,
                                          scheduler=DDIMScheduler(steps_offset=1), safety_checker=None,
                                          feature_extractor=None, requires_safety_checker=False)
