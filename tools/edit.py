"""VisProg's image edits on selected objects: COLORPOP, BGBLUR and REPLACE.

Each takes the objects a SEG/SELECT (or LOC/FACEDET) step produced and returns a new image; the
input is never changed. Objects without masks (plain boxes) get GrabCut masks from their boxes.
REPLACE needs a text-to-image inpainting model (hub only, tools/inpaint_diffusers.py); without
one it stops with a typed error naming the setting, and never substitutes another edit.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

from agent.errors import ArgumentError, ModelUnavailableError
from tools.masks import with_masks
from tools.registry import tool
from tools.types import Detections


def _union(image: Image.Image, objects: Detections, module: str) -> np.ndarray:
    """(H, W) bool: every object's pixels; objects must come from this image."""
    if tuple(objects.image_size) != tuple(image.size):
        raise ArgumentError(
            f"{module}: the objects were found in a {objects.image_size[0]}x{objects.image_size[1]} image, "
            f"not in this {image.width}x{image.height} one",
            hint="pass the same image to SEG/SELECT and to the edit")
    objects = with_masks(image, objects)
    return objects.masks.any(axis=0) if len(objects) else np.zeros((image.height, image.width), bool)


def _alpha(mask: np.ndarray, radius: float) -> np.ndarray:
    """A soft (H, W, 1) float alpha from a bool mask: edges feathered over ``radius`` pixels."""
    soft = Image.fromarray(mask.astype(np.uint8) * 255)
    if radius > 0:
        soft = soft.filter(ImageFilter.GaussianBlur(radius))
    return np.asarray(soft, dtype=np.float32)[:, :, None] / 255.0


def _blend(front: Image.Image, back: Image.Image, alpha: np.ndarray) -> Image.Image:
    out = alpha * np.asarray(front, dtype=np.float32) + (1 - alpha) * np.asarray(back, dtype=np.float32)
    return Image.fromarray(out.clip(0, 255).astype(np.uint8))


def _warn(image: Image.Image, *warnings: str) -> Image.Image:
    image.facts = [f"warning: {w}" for w in warnings]  # shown in the step's trace
    return image


@tool("COLORPOP")
def colorpop(ctx, image: Image.Image, object: Detections) -> Image.Image:  # noqa: A002 - VisProg's argument
    """Keep the objects in colour and turn everything else grey (VisProg's colour pop).

    Args:
        image: the image to edit.
        object: the objects to keep in colour, usually from SEG then SELECT.
    """
    rgb = image.convert("RGB")
    mask = _union(rgb, object, "COLORPOP")
    grey = rgb.convert("L").convert("RGB")
    out = _blend(rgb, grey, _alpha(mask, radius=1.0))
    return out if mask.any() else _warn(out, "no object was selected, so the whole picture is grey")


@tool("BGBLUR")
def bgblur(ctx, image: Image.Image, object: Detections) -> Image.Image:  # noqa: A002 - VisProg's argument
    """Blur the background, keeping the objects sharp (VisProg's background blur).

    Args:
        image: the image to edit.
        object: the objects to keep sharp, usually from SEG then SELECT.
    """
    rgb = image.convert("RGB")
    mask = _union(rgb, object, "BGBLUR")
    radius = max(2.0, max(rgb.size) / 150)  # VisProg blurs by 2 px; large photos need more to show
    blurred = rgb.filter(ImageFilter.GaussianBlur(radius))
    out = _blend(rgb, blurred, _alpha(mask, radius=max(1.0, radius / 2)))
    return out if mask.any() else _warn(out, "no object was selected, so the whole picture is blurred")


@tool("REPLACE")
def replace(ctx, image: Image.Image, object: Detections, prompt: str) -> Image.Image:  # noqa: A002
    """Repaint the objects as something else described in words, e.g. prompt='blue bus' (needs an inpainting model).

    Args:
        image: the image to edit.
        object: the objects to replace, usually from SEG then SELECT.
        prompt: what to paint in their place, e.g. 'blue bus', 'dirt road'.
    """
    if not prompt.strip():
        raise ArgumentError("REPLACE: prompt is empty", hint="say what to paint, e.g. prompt='blue bus'")
    mask = _union(image.convert("RGB"), object, "REPLACE")
    if not mask.any():
        raise ArgumentError("REPLACE: there is no object to replace (the objects given are empty)",
                            hint="check the SELECT step before it: its query matched nothing")
    inpainter = ctx.models.inpainter()
    if inpainter is None:
        raise ModelUnavailableError(
            "REPLACE needs a text-to-image inpainting model, and none is configured",
            hint="set edit.inpaint_model to a diffusers inpainting pipeline: a local directory (e.g. a copy of "
                 "stable-diffusion-inpainting) or a hub id already in the Hugging Face cache; install diffusers "
                 "(pip install 'visreason[inpaint]'). Nothing offline can stand in for it.")
    return inpainter.inpaint(image, mask, prompt)
