"""REPLACE's backend: a diffusers text-guided inpainting pipeline (Stable Diffusion inpainting and kin).

Hub-only: no inpainting weights ship in a package, so REPLACE is off until ``edit.inpaint_model``
names a local pipeline directory or a hub id already in the Hugging Face cache. As in VisProg, the
picture is shrunk into a 512x512 canvas (padded at the right and bottom), inpainted under the mask,
and brought back to its size; here the new pixels are then blended in under the mask only, so
everything outside the selected object stays exactly as it was.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

from agent.errors import ModelUnavailableError

CANVAS = 512


def _pad(img: Image.Image, size: int) -> tuple[Image.Image, int, int]:
    """VisProg's resize_and_pad: the picture shrunk to fit ``size`` and pasted at the top left of a black canvas."""
    canvas = Image.new(img.mode, (size, size))
    thumb = img.copy()
    thumb.thumbnail((size, size))
    canvas.paste(thumb, (0, 0))
    return canvas, thumb.width, thumb.height


class DiffusersInpainter:
    def __init__(self, model_id: str = "", *, pipeline: Any = None, steps: int = 25, guidance: float = 7.5,
                 canvas: int = CANVAS, seed: int = 0) -> None:
        if pipeline is None:
            try:
                from diffusers import AutoPipelineForInpainting
            except ImportError:
                raise ModelUnavailableError("REPLACE needs the diffusers package",
                                            hint="pip install 'visreason[inpaint]' (diffusers)") from None
            try:
                pipeline = AutoPipelineForInpainting.from_pretrained(model_id)
            except (OSError, ValueError) as exc:
                raise ModelUnavailableError(
                    f"cannot load the inpainting pipeline {model_id!r}: {str(exc)[:300]}",
                    hint="set edit.inpaint_model to a local diffusers inpainting directory (e.g. a copy of "
                         "stable-diffusion-inpainting) or a hub id already in the Hugging Face cache") from None
        if hasattr(pipeline, "set_progress_bar_config"):
            pipeline.set_progress_bar_config(disable=True)
        self.pipeline = pipeline
        self.steps, self.guidance, self.canvas, self.seed = steps, guidance, canvas, seed
        self.source = f"diffusers:{model_id or type(pipeline).__name__}"
        self._lock = threading.Lock()

    def inpaint(self, image: Image.Image, mask: np.ndarray, prompt: str) -> Image.Image:
        """``image`` with the pixels under ``mask`` (H, W bool) repainted to show ``prompt``."""
        import torch

        rgb = image.convert("RGB")
        mask_img = Image.fromarray(mask.astype(np.uint8) * 255).filter(ImageFilter.MaxFilter(5))  # cover the rim
        canvas, w, h = _pad(rgb, self.canvas)
        mask_canvas, _, _ = _pad(mask_img, self.canvas)
        with self._lock, torch.inference_mode():
            out = self.pipeline(prompt=prompt, image=canvas, mask_image=mask_canvas, height=self.canvas,
                                width=self.canvas, num_inference_steps=self.steps, guidance_scale=self.guidance,
                                generator=torch.Generator("cpu").manual_seed(self.seed)).images[0]
        new = out.convert("RGB").crop((0, 0, w, h)).resize(rgb.size, Image.Resampling.LANCZOS)
        alpha = np.asarray(mask_img.filter(ImageFilter.GaussianBlur(2)), dtype=np.float32)[:, :, None] / 255.0
        blended = alpha * np.asarray(new, dtype=np.float32) + (1 - alpha) * np.asarray(rgb, dtype=np.float32)
        return Image.fromarray(blended.clip(0, 255).astype(np.uint8))
