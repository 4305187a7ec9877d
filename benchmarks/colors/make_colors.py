"""The labelled colour set: objects in the sample photos plus synthetic renders, and its evaluation.

    .venv/bin/python benchmarks/colors/make_colors.py [--save DIR]     # accuracy of each colour namer

* photo items (benchmarks/colors/labels.jsonl): a box on one of the sample photos (benchmarks/sample_images.py)
  and the colour names a person would accept for the object in it (two where people disagree, e.g. a navy
  jacket is "black" or "blue");
* synthetic items: one object per picture in a known colour (three shades per colour name), lit from one
  side, with a highlight and a cast shadow, on a cluttered or coloured background that fills 30-50% of the
  box. Rendered from a fixed seed, so everyone gets the same pictures; ``--save`` writes them out to look at.

Namers compared: ``inner-box dominant`` (the box's central 70%, most frequent palette name: what COLOR did
before) and ``object pixels`` (tools.colors.object_color: foreground mask, perceptual naming).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

SEED = 20261123
# Three shades per name, chosen as clear examples of the name (not borderline colours).
SHADES: dict[str, tuple[tuple[int, int, int], ...]] = {
    "red": ((200, 20, 30), (230, 50, 40), (160, 10, 20)),
    "orange": ((245, 130, 20), (255, 150, 50), (225, 105, 15)),
    "yellow": ((250, 220, 30), (240, 230, 80), (255, 205, 0)),
    "gold": ((212, 175, 55), (200, 160, 40), (218, 165, 32)),
    "green": ((40, 160, 50), (20, 120, 40), (110, 190, 70)),
    "teal": ((0, 128, 128), (20, 110, 115), (40, 140, 140)),
    "blue": ((30, 70, 200), (20, 40, 140), (70, 130, 220)),
    "purple": ((120, 40, 160), (150, 80, 190), (90, 30, 120)),
    "pink": ((250, 150, 190), (240, 100, 160), (255, 182, 200)),
    "brown": ((120, 70, 30), (140, 90, 50), (95, 55, 25)),
    "beige": ((225, 205, 170), (235, 220, 185), (210, 190, 150)),
    "black": ((20, 20, 22), (35, 32, 30), (10, 12, 18)),
    "white": ((245, 245, 242), (235, 238, 240), (250, 248, 240)),
    "gray": ((128, 128, 128), (100, 102, 105), (160, 160, 158)),
}
BACKGROUNDS = ("noise", "stripes", "gradient", "plain", "blobs")


def _background(rng: np.random.Generator, size: tuple[int, int], avoid: tuple[int, int, int]) -> Image.Image:
    w, h = size
    kind = BACKGROUNDS[int(rng.integers(len(BACKGROUNDS)))]
    while True:  # a background colour clearly unlike the object's
        base = rng.integers(0, 256, 3)
        if np.abs(base.astype(int) - np.array(avoid)).sum() > 200:
            break
    if kind == "plain":
        arr = np.broadcast_to(base, (h, w, 3)).astype(np.float32)
    elif kind == "gradient":
        other = rng.integers(0, 256, 3)
        t = np.linspace(0, 1, w)[None, :, None]
        arr = (base * (1 - t) + other * t) * np.ones((h, 1, 1))
    elif kind == "stripes":  # wood or shelves
        other = base * rng.uniform(0.5, 0.9)
        period = rng.integers(6, 20)
        mask = ((np.arange(h) // period) % 2)[:, None, None]
        arr = np.where(mask, base, other) * np.ones((1, w, 1))
    else:
        arr = np.broadcast_to(base, (h, w, 3)).astype(np.float32).copy()
        if kind == "blobs":  # clutter: patches of random colours
            img = Image.fromarray(arr.astype(np.uint8))
            draw = ImageDraw.Draw(img)
            for _ in range(8):
                x, y = rng.integers(0, w), rng.integers(0, h)
                r = rng.integers(8, 30)
                draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
            arr = np.asarray(img, dtype=np.float32)
    arr = arr + rng.normal(0, 8, (h, w, 3))
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8))


def _render(rng: np.random.Generator, rgb: tuple[int, int, int]) -> tuple[Image.Image, list[float]]:
    w, h = 200, 160
    img = _background(rng, (w, h), rgb)
    ow, oh = int(rng.integers(70, 120)), int(rng.integers(60, 100))
    x0, y0 = int(rng.integers(15, w - ow - 15)), int(rng.integers(15, h - oh - 15))
    mask = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(mask)
    shape = int(rng.integers(3))
    if shape == 0:
        draw.ellipse((x0, y0, x0 + ow, y0 + oh), fill=255)
    elif shape == 1:
        draw.rounded_rectangle((x0, y0, x0 + ow, y0 + oh), radius=int(rng.integers(4, 20)), fill=255)
    else:
        cx, cy = x0 + ow / 2, y0 + oh / 2
        pts = [(cx + ow / 2 * rng.uniform(0.6, 1) * math.cos(a), cy + oh / 2 * rng.uniform(0.6, 1) * math.sin(a))
               for a in np.linspace(0, 2 * math.pi, 9)[:-1]]
        draw.polygon(pts, fill=255)
    # cast shadow, then the object lit from one side with a soft highlight
    shadow = mask.filter(ImageFilter.GaussianBlur(4)).transform((w, h), Image.Transform.AFFINE, (1, 0, -6, 0, 1, -5))
    arr = np.asarray(img, dtype=np.float32) * (1 - 0.45 * np.asarray(shadow, dtype=np.float32)[..., None] / 255)
    yy, xx = np.mgrid[0:h, 0:w]
    angle = rng.uniform(0, 2 * math.pi)
    light = 0.95 + 0.3 * (((xx - x0) / ow - 0.5) * math.cos(angle) + ((yy - y0) / oh - 0.5) * math.sin(angle))
    obj = np.array(rgb, dtype=np.float32) * light[..., None].clip(0.6, 1.15)
    hx, hy = x0 + ow * rng.uniform(0.25, 0.75), y0 + oh * rng.uniform(0.25, 0.75)
    spot = np.exp(-(((xx - hx) / (0.12 * ow)) ** 2 + ((yy - hy) / (0.12 * oh)) ** 2))[..., None]
    obj = obj * (1 - 0.6 * spot) + 255 * 0.6 * spot + rng.normal(0, 5, obj.shape)
    m = (np.asarray(mask.filter(ImageFilter.GaussianBlur(1)), dtype=np.float32) / 255)[..., None]
    out = Image.fromarray((arr * (1 - m) + obj * m).clip(0, 255).astype(np.uint8))
    pad = rng.uniform(0.1, 0.22)
    box = [max(0, x0 - pad * ow), max(0, y0 - pad * oh), min(w, x0 + ow * (1 + pad)), min(h, y0 + oh * (1 + pad))]
    return out, box


def synthetic_items(seed: int = SEED) -> list[dict]:
    rng = np.random.default_rng(seed)
    items = []
    for name, shades in SHADES.items():
        for i, rgb in enumerate(shades):
            img, box = _render(rng, rgb)
            items.append({"id": f"render-{name}-{i}", "image": img, "box": box, "answer": [name]})
    return items


def photo_items() -> list[dict]:
    from agent.images import load_image
    from benchmarks.sample_images import ensure_images

    base = ensure_images()
    items = []
    for line in (HERE / "labels.jsonl").read_text().splitlines():
        if line.strip():
            item = json.loads(line)
            items.append({**item, "image": load_image(base / item["image"])})
    return items


def old_namer(img: Image.Image, box: list[float]) -> str:
    """What COLOR returned for a box before: the most frequent palette name in the box's central 70%."""
    from tools.colors import dominant_colors, inner_crop

    names = dominant_colors(inner_crop(img, np.asarray(box)), k=1, ignore_background=False)
    return names[0] if names else "unknown"


def new_namer(img: Image.Image, box: list[float]) -> str:
    from tools.colors import object_color

    return object_color(img, np.asarray(box, dtype=np.float32))


NAMERS = {"box centre, most frequent name (the old COLOR; current palette)": old_namer,
          "object pixels (COLOR now)": new_namer}


def evaluate(namers: dict | None = None) -> dict:
    items = photo_items() + synthetic_items()
    namers = namers or NAMERS
    accuracy, wrong = {}, {}
    for label, namer in namers.items():
        misses = []
        for item in items:
            got = namer(item["image"], item["box"])
            if got not in item["answer"]:
                misses.append(f"{item['id']}={got}")
        accuracy[label] = 1 - len(misses) / len(items)
        wrong[label] = misses
    return {"n": len(items), "photos": len(photo_items()), "accuracy": accuracy, "wrong": wrong}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", help="write the synthetic renders (with their boxes drawn) to this folder")
    args = parser.parse_args()
    if args.save:
        out = Path(args.save)
        out.mkdir(parents=True, exist_ok=True)
        for item in synthetic_items():
            img = item["image"].copy()
            ImageDraw.Draw(img).rectangle(item["box"], outline=(255, 0, 255))
            img.save(out / f"{item['id']}.png")
    report = evaluate()
    print(f"{report['n']} items ({report['photos']} photo objects, {report['n'] - report['photos']} renders)")
    for label, acc in report["accuracy"].items():
        print(f"{label}: {100 * acc:.1f}%  wrong: {', '.join(report['wrong'][label]) or '-'}")


if __name__ == "__main__":
    main()
