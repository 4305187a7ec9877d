"""Perception benchmark: detector backends, face detectors and colour naming, without the LLM.

    .venv/bin/python benchmarks/bench_perception.py [--part detectors|faces|colors|all] [--repeats 3]

* detectors: every dev-set question whose answer depends on the detector (counting, existence, spatial,
  comparison, two-image, and colour of a located object) runs a fixed reference program - the program a planner should write - on each
  detector backend; accuracy per question type, plus wall and CPU ms per image for one detection.
* faces: face counts on the sample photos (the dev set's face questions plus photos with one face).
* colors: accuracy on the labelled colour set (benchmarks/colors/labels.jsonl) of the object-colour
  namer and of the old inner-box dominant colour, which this replaced.

Prints markdown tables; ``--json`` writes the figures to bench-results/perception.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("YOLO_OFFLINE", "1")

from benchmarks.sample_images import ensure_images  # noqa: E402

DETECTOR_TYPES = ("counting", "existence", "spatial", "comparison", "two-image", "colour")


def _count(obj: str, image: str = "IMAGE", n: int = 0) -> str:
    return f"BOX{n}=LOC(image={image},object='{obj}')\nANSWER{n}=COUNT(box=BOX{n})\n"


def _half_count(side: str, obj: str) -> str:
    return (f"BOX0=LOC(image=IMAGE,object='{side}')\nIMAGE0=CROP(image=IMAGE,box=BOX0)\n"
            f"BOX1=LOC(image=IMAGE0,object='{obj}')\nANSWER0=COUNT(box=BOX1)\n")


def _final(expr: str | None = None) -> str:
    if expr is None:
        return "FINAL_RESULT=RESULT(var=ANSWER0)"
    return f'ANSWER9=EVAL(expr="{expr}")\nFINAL_RESULT=RESULT(var=ANSWER9)'


def _color(obj: str | None) -> str:
    if obj is None:
        return "ANSWER0=COLOR(image=IMAGE)\nFINAL_RESULT=RESULT(var=ANSWER0)"
    return f"BOX0=LOC(image=IMAGE,object='{obj}')\nANSWER0=COLOR(image=IMAGE,box=BOX0)\nFINAL_RESULT=RESULT(var=ANSWER0)"


YES = "'yes' if {ANSWER0} > 0 else 'no'"
REFERENCE = {  # dev-set id -> the reference program
    "bus-count-people": _count("person") + _final(),
    "bus-count-bus": _count("bus") + _final(),
    "zidane-count-people": _count("person") + _final(),
    "zidane-count-ties": _count("tie") + _final(),
    "astronaut-count-people": _count("person") + _final(),
    "chelsea-count-cats": _count("cat") + _final(),
    "coffee-count-cups": _count("cup") + _final(),
    "moto-count": _count("motorcycle") + _final(),
    "bus-exists-bus": _count("bus") + _final(YES),
    "bus-exists-dog": _count("dog") + _final(YES),
    "zidane-exists-tie": _count("tie") + _final(YES),
    "chelsea-exists-cat": _count("cat") + _final(YES),
    "chelsea-exists-dog": _count("dog") + _final(YES),
    "moto-exists-car": _count("car") + _final(YES),
    "rocket-exists-person": _count("person") + _final(YES),
    "coffee-exists-spoon": _count("spoon") + _final(YES),
    "zidane-left-count": _half_count("LEFT", "person") + _final(),
    "bus-left-count": _half_count("LEFT", "person") + _final(),
    "bus-right-count": _half_count("RIGHT", "person") + _final(),
    "coffee-top-cup": _half_count("TOP", "cup") + _final(YES),
    "bus-more-people": _count("person") + _count("bus", n=1) + _final("{ANSWER0} > {ANSWER1}"),
    "zidane-ties-vs-people": _count("tie") + _count("person", n=1) + _final("{ANSWER0} > {ANSWER1}"),
    "zidane-ties-equal": _count("tie") + _count("person", n=1) + _final("{ANSWER0} == {ANSWER1}"),
    "pair-tie-one": _count("tie", "LEFT") + _count("tie", "RIGHT", 1) + _final("{ANSWER0} > 0 xor {ANSWER1} > 0"),
    "pair-cat-both": _count("cat", "LEFT") + _count("cat", "RIGHT", 1) + _final("{ANSWER0} > 0 and {ANSWER1} > 0"),
    "pair-cat-one": _count("cat", "LEFT") + _count("cat", "RIGHT", 1) + _final("{ANSWER0} > 0 xor {ANSWER1} > 0"),
    "pair-more-people": _count("person", "LEFT") + _count("person", "RIGHT", 1) + _final("{ANSWER0} > {ANSWER1}"),
    "pair-moto-one": (_count("motorcycle", "LEFT") + _count("motorcycle", "RIGHT", 1)
                      + _final("{ANSWER0} > 0 xor {ANSWER1} > 0")),
    "pair-person-both": (_count("person", "LEFT") + _count("person", "RIGHT", 1)
                         + _final("{ANSWER0} > 0 and {ANSWER1} > 0")),
    "bus-color": _color("bus"), "moto-color": _color("motorcycle"), "coffee-color": _color("cup"),
    "astronaut-color": _color("person"), "gift-color": _color(None), "horse-color": _color("horse"),
    "zidane-tie-color": _color("tie"),
}

DETECTORS = {  # name -> config overrides
    "yolox-nano": {"detector.backend": "yolox"},
    "yolov8n (ultralytics)": {"detector.backend": "ultralytics"},
    "yolov8n confirmed by yolox (ensemble)": {"detector.backend": "ensemble"},
}


def _images(item: dict, base: Path) -> dict:
    from agent.images import load_image

    paths = item.get("images") or [item["image"]]
    imgs = [load_image(base / p) for p in paths]
    return {"IMAGE": imgs[0]} if len(imgs) == 1 else {"LEFT": imgs[0], "RIGHT": imgs[1]}


def bench_detectors(items: list[dict], base: Path, repeats: int) -> dict:
    from agent.config import Config
    from agent.images import load_image
    from agent.program.interpreter import Interpreter
    from agent.score import is_correct
    from tools.cache import ToolCache
    from tools.catalog import default_registry
    from tools.context import ToolContext
    from tools.models import ModelHub

    registry = default_registry()
    chosen = [it for it in items if it["id"] in REFERENCE]
    photos = sorted({p for it in chosen for p in (it.get("images") or [it["image"]])})
    out = {}
    for name, overrides in DETECTORS.items():
        config = Config().replace(**overrides)
        hub = ModelHub.shared(config)
        detector = hub.detector()
        per_type: dict[str, list[bool]] = defaultdict(list)
        wrong = []
        for item in chosen:
            ctx = ToolContext(config=config, cache=ToolCache())
            result = Interpreter(registry, ctx).run(REFERENCE[item["id"]], _images(item, base)).result
            ok = is_correct(result, item["answer"])
            per_type[item["type"]].append(ok)
            if not ok:
                wrong.append(f"{item['id']}={result}")
        wall, cpu = [], []
        for photo in photos:
            img = load_image(base / photo)
            detector.detect(img)  # warm
            for _ in range(repeats):
                w, c = time.perf_counter(), time.process_time()
                detector.detect(img)
                wall.append(1000 * (time.perf_counter() - w))
                cpu.append(1000 * (time.process_time() - c))
        total = [ok for oks in per_type.values() for ok in oks]
        out[name] = {"accuracy": sum(total) / len(total), "n": len(total),
                     "per_type": {t: sum(v) / len(v) for t, v in per_type.items()},
                     "wrong": wrong, "wall_ms_p50": statistics.median(wall), "cpu_ms_p50": statistics.median(cpu)}
    return out


FACE_PHOTOS = {"zidane.jpg": 2, "grace_hopper.jpg": 1, "astronaut.png": 1}


def bench_faces(base: Path, repeats: int) -> dict:
    from agent.config import Config
    from agent.images import load_image
    from tools.models import ModelHub

    out = {}
    for backend in ("yunet", "haar"):
        faces = ModelHub(Config().replace(**{"faces.backend": backend})).faces()
        right, counts, wall = 0, {}, []
        for photo, expected in FACE_PHOTOS.items():
            img = load_image(base / "images" / photo)
            found = len(faces.detect(img, "face"))
            counts[photo] = found
            right += found == expected
            for _ in range(repeats):
                started = time.perf_counter()
                faces.detect(img, "face")
                wall.append(1000 * (time.perf_counter() - started))
        out[backend] = {"correct": right, "n": len(FACE_PHOTOS), "counts": counts,
                        "wall_ms_p50": statistics.median(wall)}
    return out


def bench_colors() -> dict:
    from benchmarks.colors.make_colors import evaluate

    return evaluate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default="all", choices=("detectors", "faces", "colors", "all"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="also write bench-results/perception.json")
    args = parser.parse_args()
    base = ensure_images().parent
    items = [json.loads(line) for line in (ROOT / "benchmarks" / "dev.jsonl").read_text().splitlines() if line]
    report: dict = {}
    if args.part in ("detectors", "all"):
        report["detectors"] = det = bench_detectors(items, base, args.repeats)
        types = [t for t in DETECTOR_TYPES if any(t in r["per_type"] for r in det.values())]
        print("| detector | " + " | ".join(types) + " | all | wall ms/image (p50) | CPU ms/image (p50) |")
        print("|---" * (len(types) + 4) + "|")
        for name, r in det.items():
            cells = " | ".join(f"{100 * r['per_type'].get(t, float('nan')):.0f}%" for t in types)
            print(f"| {name} | {cells} | {100 * r['accuracy']:.1f}% ({r['n']}) | {r['wall_ms_p50']:.0f} | "
                  f"{r['cpu_ms_p50']:.0f} |")
        for name, r in det.items():
            print(f"{name} wrong: {', '.join(r['wrong']) or '-'}")
    if args.part in ("faces", "all"):
        report["faces"] = faces = bench_faces(base, args.repeats)
        print("\n| faces | right counts | counts | wall ms (p50) |\n|---|---|---|---|")
        for name, r in faces.items():
            print(f"| {name} | {r['correct']}/{r['n']} | {r['counts']} | {r['wall_ms_p50']:.0f} |")
    if args.part in ("colors", "all"):
        report["colors"] = col = bench_colors()
        print(f"\n| colour namer | accuracy on {col['n']} labelled items |\n|---|---|")
        for name, acc in col["accuracy"].items():
            print(f"| {name} | {100 * acc:.1f}% |")
        for name, wrong in col["wrong"].items():
            print(f"{name} wrong: {', '.join(wrong) or '-'}")
    if args.json:
        out = ROOT / "bench-results" / "perception.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
