"""SCENE: day or night, indoor or outdoor, from image statistics plus what the classifier and detector see.

Each answer carries a confidence in [0, 1] and the evidence behind it; below ``MIN_CONFIDENCE`` the
answer is "uncertain" (with the leaning in the trace), never a guess dressed as a fact.

* day/night: brightness of the upper third (sky) and of the whole picture, bright point lights on a
  dark ground (street lamps, flood lights), blue-sky pixels at the top.
* indoor/outdoor: sky and foliage at the top, plus labels: furniture, appliances, screens, tableware
  point indoors; vehicles, buildings, landscapes, traffic furniture point outdoors.
"""

from __future__ import annotations

import math
from typing import Literal

import cv2
import numpy as np
from PIL import Image

from tools.registry import tool
from tools.runtime import cached, detect_all

MIN_CONFIDENCE = 0.35

INDOOR_CATEGORIES = ("furniture", "appliance", "electronic device", "kitchenware", "drink")
OUTDOOR_CATEGORIES = ("vehicle", "aircraft", "watercraft", "building")
OUTDOOR_LABELS = {"traffic light", "fire hydrant", "stop sign", "parking meter", "kite", "skis", "snowboard",
                  "surfboard", "alp", "cliff", "coral reef", "geyser", "lakeside", "promontory", "sandbar",
                  "seashore", "valley", "volcano", "street sign", "dam", "pier", "suspension bridge",
                  "steel arch bridge", "viaduct", "breakwater", "fountain", "park bench", "totem pole", "maze"}
INDOOR_LABELS = {"sink", "toilet", "book", "vase", "teddy bear", "hair drier", "toothbrush", "bookshop",
                 "library", "restaurant", "cinema", "home theater", "shoji", "window shade", "window screen",
                 "wardrobe", "quilt", "pillow", "lampshade", "table lamp", "espresso", "plate", "mouse"}


class SceneAnswer(str):
    """'day', 'night', 'indoor', 'outdoor' or 'uncertain', with its confidence and evidence."""

    confidence: float
    leaning: str
    evidence: tuple[str, ...]

    def __new__(cls, label: str, confidence: float, leaning: str, evidence: tuple[str, ...]) -> SceneAnswer:
        obj = super().__new__(cls, label)
        obj.confidence, obj.leaning, obj.evidence = confidence, leaning, evidence
        return obj

    def summary(self) -> str:
        lean = f", leaning {self.leaning}" if str(self) == "uncertain" else ""
        return f"{self} (confidence {self.confidence:.2f}{lean}; {'; '.join(self.evidence)})"


def _decide(score: float, positive: str, negative: str, evidence: list[str], view: float = 1.0) -> SceneAnswer:
    """``score`` > 0 favours ``positive``; confidence is how far the logistic of it is from a coin flip, times
    ``view``: how much this kind of picture can tell at all (a scan or a close-up says little)."""
    p = 1 / (1 + math.exp(-score))
    leaning = positive if p >= 0.5 else negative
    confidence = abs(2 * p - 1) * view
    label = leaning if confidence >= MIN_CONFIDENCE else "uncertain"
    return SceneAnswer(label, round(confidence, 3), leaning, tuple(evidence))


def image_statistics(image: Image.Image) -> dict[str, float]:
    """Lightness and colour statistics of a downscaled copy (all fractions of pixels, lightness 0..1)."""
    small = image.convert("RGB")
    small.thumbnail((256, 256), Image.Resampling.BOX)
    rgb = np.asarray(small, dtype=np.float32) / 255
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab)
    light, a, b = lab[..., 0] / 100, lab[..., 1], lab[..., 2]
    top = slice(0, max(1, light.shape[0] // 3))
    dark = light < 0.2
    sky = (b[top] < -8) & (light[top] > 0.45) & (np.abs(a[top]) < 20)  # blue sky (a white wall is not sky)
    foliage = (a < -10) & (light > 0.15)
    # night sky: dark, smooth and not green at the top (dark foliage behind a close-up is not a sky)
    texture = np.abs(cv2.Laplacian(light, cv2.CV_32F, ksize=3))
    night_sky = (light[top] < 0.3) & (cv2.blur(texture, (5, 5))[top] < 0.04) & (a[top] > -8)
    bright = (light > 0.9).astype(np.uint8)  # point lights: small very bright spots
    n, _, stats, _ = cv2.connectedComponentsWithStats(bright)
    spots = sum(1 for i in range(1, n) if stats[i, cv2.CC_STAT_AREA] < 0.002 * light.size)
    quantised = (np.asarray(small) // 32).reshape(-1, 3)
    flat = np.unique(quantised, axis=0, return_counts=True)[1].max() / len(quantised)
    return {"median_lightness": float(np.median(light)), "top_lightness": float(np.median(light[top])),
            "dark_share": float(dark.mean()), "sky_share": float(sky.mean() / 3), "foliage_share": float(foliage.mean()),
            "point_lights": float(spots), "flat_share": float(flat), "night_sky_share": float(night_sky.mean())}


def _view(stats: dict[str, float]) -> tuple[float, list[str]]:
    if stats["flat_share"] > 0.4:
        return 0.2, [f"{stats['flat_share']:.0%} of the picture is one flat colour: a drawing or scan, not a scene"]
    return 1.0, []


def day_night(stats: dict[str, float], indoor: SceneAnswer | None = None) -> SceneAnswer:
    top, whole = stats["top_lightness"], stats["median_lightness"]
    lamps = stats["dark_share"] > 0.3 and stats["point_lights"] >= 3
    night_sky = stats["night_sky_share"]
    score = (6 * (top - 0.45) + 3 * (whole - 0.35) + 24 * stats["sky_share"] - 4 * night_sky
             - (2.0 if lamps else 0.0))
    evidence = [f"upper third lightness {top:.2f}", f"median lightness {whole:.2f}",
                f"blue sky {stats['sky_share']:.0%} of the picture", f"dark smooth sky {night_sky:.0%} of the top",
                f"dark pixels {stats['dark_share']:.0%}", f"lamps in the dark: {'yes' if lamps else 'no'}"]
    view, why = _view(stats)
    outdoors = indoor is not None and indoor.leaning == "outdoor" and indoor.confidence >= MIN_CONFIDENCE
    daylight = stats["sky_share"] >= 0.02 or (outdoors and top >= 0.5)
    darkness = night_sky >= 0.2 or lamps
    if view == 1.0 and not (daylight if score > 0 else darkness):
        view, why = 0.3, ["no sky, daylit street or lamps in view: brightness alone says little about the time of day"]
    if indoor is not None and indoor.leaning == "indoor" and indoor.confidence >= MIN_CONFIDENCE:
        view, why = min(view, 0.4), why + ["indoors: the light is not the daylight"]
    return _decide(score, "day", "night", evidence + why, view)


def indoor_outdoor(stats: dict[str, float], labels: list[tuple[str, float]], detected: set[str]) -> SceneAnswer:
    from tools.categories import members

    indoor = set().union(*(members(c) for c in INDOOR_CATEGORIES)) | INDOOR_LABELS
    movable = members("vehicle")  # vehicles stand in garages and showrooms too: half weight
    outdoor = set().union(*(members(c) for c in OUTDOOR_CATEGORIES)) | OUTDOOR_LABELS

    def weight(name: str) -> float:
        return 0.5 if name in movable else 1.0

    votes_in = sum(p for name, p in labels if name in indoor) + 0.4 * len(detected & indoor)
    votes_out = (sum(p * weight(name) for name, p in labels if name in outdoor)
                 + 0.4 * sum(weight(name) for name in detected & outdoor))
    score = 3 * (votes_out - votes_in) + 15 * stats["sky_share"] + 3 * stats["foliage_share"] - 0.3
    seen_in = sorted((detected & indoor) | {n for n, p in labels if n in indoor and p >= 0.05})
    seen_out = sorted((detected & outdoor) | {n for n, p in labels if n in outdoor and p >= 0.05})
    evidence = [f"blue sky {stats['sky_share']:.0%} of the picture", f"foliage pixels {stats['foliage_share']:.0%}",
                f"indoor things: {', '.join(seen_in) or 'none'}", f"outdoor things: {', '.join(seen_out) or 'none'}"]
    view, why = _view(stats)
    return _decide(score, "outdoor", "indoor", evidence + why, view)


@tool("SCENE")
def scene(ctx, image: Image.Image, aspect: Literal["day_night", "indoor_outdoor"] = "day_night") -> str:
    """Tell whether a photo was taken by day or at night, or indoors or outdoors, with a confidence; the answer
    is 'uncertain' when the evidence is weak (never a guess).

    Args:
        image: the photo.
        aspect: 'day_night' (answer: day, night or uncertain) or 'indoor_outdoor' (indoor, outdoor or uncertain).
    """
    from tools.perception import top_labels

    stats = cached(ctx, image, "scene-stats", (), lambda: image_statistics(image))
    place = indoor_outdoor(stats, top_labels(ctx, image, k=10), set(detect_all(ctx, image).labels))
    return place if aspect == "indoor_outdoor" else day_night(stats, place)


SCENE_TOOLS = (scene,)
