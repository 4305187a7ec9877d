"""Copy the sample photos that installed packages ship into benchmarks/images/ (not committed).

The dev set refers to them by file name, so anyone with the project installed gets the same photos.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
IMAGES = HERE / "images"


def sources() -> dict[str, Path]:
    import matplotlib
    import skimage
    import sklearn
    from ultralytics.utils import ASSETS

    sk = Path(skimage.__file__).parent / "data"
    skl = Path(sklearn.__file__).parent / "datasets" / "images"
    mpl = Path(matplotlib.__file__).parent / "mpl-data" / "sample_data"
    return {
        "bus.jpg": Path(ASSETS) / "bus.jpg",
        "zidane.jpg": Path(ASSETS) / "zidane.jpg",
        "astronaut.png": sk / "astronaut.png",
        "chelsea.png": sk / "chelsea.png",
        "coffee.png": sk / "coffee.png",
        "rocket.jpg": sk / "rocket.jpg",
        "motorcycle.png": sk / "motorcycle_left.png",
        "page.png": sk / "page.png",
        "horse.png": sk / "horse.png",
        "logo.png": sk / "logo.png",
        "china.jpg": skl / "china.jpg",
        "flower.jpg": skl / "flower.jpg",
        "grace_hopper.jpg": mpl / "grace_hopper.jpg",
        "gift.png": mpl / "Minduka_Present_Blue_Pack.png",
    }


def ensure_images(target: Path = IMAGES) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name, src in sources().items():
        dst = target / name
        if not dst.exists():
            shutil.copyfile(src, dst)
    return target


if __name__ == "__main__":
    print(ensure_images(Path(sys.argv[1]) if len(sys.argv) > 1 else IMAGES))
