"""easy-VQA (shape and colour diagrams) through REGIONS: SHAPES + SHAPE_ATTR programs, no LLM.

    .venv/bin/pip install easy-vqa            # in the dev extras: the public easy-VQA data set (MIT)
    .venv/bin/python benchmarks/easyvqa/run_easyvqa.py [--n 200] [--seed 11] [--examples OUT.jsonl]

Picks ``--n`` questions of the TEST split with a fixed seed and runs, for each, the reference program
(the program a planner should write for that question form; see ``program_for``) through the
interpreter and the default tool registry. Prints accuracy per question form and overall.

``--examples`` writes planner examples (question, program) made from the TRAIN split instead, one per
question form, for the few-shot examples or the program memory; test questions never go there.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

COLORS = ("gray", "yellow", "green", "red", "black", "brown", "blue", "teal")
SHAPES = ("circle", "rectangle", "triangle")
YES_IF_ANY = "'yes' if {ANSWER0} > 0 else 'no'"
YES_IF_NONE = "'yes' if {ANSWER0} == 0 else 'no'"


def _count_program(query: str, expr: str) -> str:
    return (f"BOX0=SHAPES(image=IMAGE,query='{query}')\nANSWER0=COUNT(box=BOX0)\n"
            f'ANSWER1=EVAL(expr="{expr}")\nFINAL_RESULT=RESULT(var=ANSWER1)')


def _attr_program(query: str, attribute: str) -> str:
    return (f"BOX0=SHAPES(image=IMAGE,query='{query}')\nANSWER0=SHAPE_ATTR(box=BOX0,attribute='{attribute}')\n"
            "FINAL_RESULT=RESULT(var=ANSWER0)")


def question_form(question: str) -> str:
    """The question with its colour and shape words replaced by COL and SHP."""
    form = question.lower()
    for word in COLORS:
        form = re.sub(rf"\b{word}\b", "COL", form)
    for word in SHAPES:
        form = re.sub(rf"\b{word}\b", "SHP", form)
    return form


def program_for(question: str) -> str:
    """The reference program for an easy-VQA question form."""
    q = question.lower().rstrip("?").strip()
    color = next((c for c in COLORS if re.search(rf"\b{c}\b", q)), "")
    shape = next((s for s in SHAPES if re.search(rf"\b{s}\b", q)), "")
    target = " ".join(w for w in (color, shape) if w) or "shape"
    if q.startswith(("what color", "what is the color")):
        return _attr_program(target, "color")
    if q.startswith("what shape") or q.startswith("what is the"):
        return _attr_program(target, "shape")
    negated = re.search(r"\b(not|no)\b", q) is not None
    return _count_program(target, YES_IF_NONE if negated else YES_IF_ANY)


def pick(split: str, n: int, seed: int) -> list[dict]:
    from easy_vqa import get_test_image_paths, get_test_questions, get_train_image_paths, get_train_questions

    questions, answers, image_ids = get_test_questions() if split == "test" else get_train_questions()
    paths = get_test_image_paths() if split == "test" else get_train_image_paths()
    order = random.Random(seed).sample(range(len(questions)), n)
    return [{"question": questions[i], "answer": answers[i], "image": paths[image_ids[i]]} for i in order]


def evaluate(items: list[dict]) -> dict:
    from agent.config import Config
    from agent.images import load_image
    from agent.program.interpreter import Interpreter
    from tools.cache import ToolCache
    from tools.catalog import default_registry
    from tools.context import ToolContext

    registry = default_registry()
    ctx = ToolContext(config=Config(), cache=ToolCache())
    per_form: dict[str, list[bool]] = defaultdict(list)
    wrong, seconds = [], []
    for item in items:
        started = time.perf_counter()
        result = Interpreter(registry, ctx).run(program_for(item["question"]), {"IMAGE": load_image(item["image"])})
        seconds.append(time.perf_counter() - started)
        ok = str(result.result).strip().lower() == item["answer"]
        per_form[question_form(item["question"])].append(ok)
        if not ok:
            wrong.append(f"{Path(item['image']).stem}: {item['question']} -> {result.result} (gold {item['answer']})")
    total = [ok for oks in per_form.values() for ok in oks]
    return {"n": len(total), "accuracy": sum(total) / len(total), "wrong": wrong,
            "per_form": {f: (sum(v), len(v)) for f, v in sorted(per_form.items())},
            "ms_per_question": 1000 * sum(seconds) / len(seconds)}


def train_examples(seed: int) -> list[dict]:
    """One TRAIN-split question per question form, with its reference program (planner examples)."""
    seen, out = set(), []
    for item in pick("train", 3000, seed):
        form = question_form(item["question"])
        if form not in seen:
            seen.add(form)
            out.append({"group": "diagram", "question": item["question"], "images": ["IMAGE"],
                        "program": program_for(item["question"]), "answer": item["answer"]})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="test questions to evaluate (>= 150)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--examples", help="write TRAIN-split planner examples to this .jsonl and stop")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()
    if args.examples:
        rows = train_examples(args.seed)
        Path(args.examples).write_text("".join(json.dumps(r) + "\n" for r in rows))
        print(f"wrote {len(rows)} train-split examples to {args.examples}")
        return
    report = evaluate(pick("test", args.n, args.seed))
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"easy-VQA test split, {report['n']} questions (seed {args.seed}): {100 * report['accuracy']:.1f}% "
          f"({report['ms_per_question']:.0f} ms/question)")
    for form, (right, n) in report["per_form"].items():
        print(f"  {right:3d}/{n:<3d} {form}")
    for line in report["wrong"]:
        print("  wrong:", line)


if __name__ == "__main__":
    main()
