"""VQA-style scoring: normalise short answers, compare with accepted answers, break down by question type.

One scorer backs ``visreason score``, the batch summary and ``make bench`` so every number
reported about the system is computed the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

_NUMBER_WORDS = {
    "zero": "0", "none": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13",
    "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17", "eighteen": "18",
    "nineteen": "19", "twenty": "20",
}
_BOOLEAN_WORDS = {"true": "yes", "false": "no", "yeah": "yes", "yep": "yes", "nope": "no"}
_ARTICLES = {"a", "an", "the"}
_CONTRACTIONS = {"isnt": "is not", "arent": "are not", "dont": "do not", "doesnt": "does not", "cant": "cannot"}
# Punctuation is dropped, except a period or comma inside a number ("1.5", "1,000").
_PUNCT = re.compile(r"(?!(?<=\d)[.,](?=\d))[^\w\s]")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")


def normalize_answer(s: Any) -> str:
    """Lower-case, strip punctuation and articles, number words to digits, true/false to yes/no."""
    if s is None:
        return ""
    text = str(s).strip().lower().replace("\u2019", "'")
    text = _THOUSANDS.sub("", text)
    text = text.replace("'", "")
    text = _PUNCT.sub(" ", text)
    words = []
    for word in text.split():
        word = _CONTRACTIONS.get(word, word)
        word = _NUMBER_WORDS.get(word, word)
        word = _BOOLEAN_WORDS.get(word, word)
        if word in _ARTICLES:
            continue
        if re.fullmatch(r"\d+\.0+", word):  # "3.0" is "3"
            word = word.split(".")[0]
        words.append(word)
    return " ".join(words)


def is_correct(pred: Any, accepted: Iterable[Any]) -> bool:
    """True when the prediction matches one accepted answer after normalisation.

    A prediction that starts with yes/no ("yes, there is one") is judged on that word when
    the accepted answer is a bare yes/no.
    """
    p = normalize_answer(pred)
    if not p:
        return False
    first = p.split()[0]
    for gold in accepted:
        g = normalize_answer(gold)
        if not g:
            continue
        if p == g:
            return True
        if g in ("yes", "no") and first == g:
            return True
    return False


def accepted_answers(gold: Mapping[str, Any]) -> list[str]:
    """The accepted answers of a gold line: ``answer`` (string or list) plus ``answers`` (list)."""
    out: list[str] = []
    for key in ("answer", "answers"):
        value = gold.get(key)
        if value is None:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        out.extend(str(v) for v in values if v is not None and str(v).strip())
    return out


_TWO_IMAGE = re.compile(r"\b(left image|right image|both images|two images|either image|each image|first image|second image)\b")
_COUNTING = re.compile(r"^(how many|what is the number of|what number of)\b|\bnumber of\b|\bcount\b")
_READING = re.compile(r"\b(say|says|written|write|read|text|word|words|letter|letters|sign|label|title|brand|logo|spell)\b")
_COLOUR = re.compile(r"\b(colou?r|colou?red|colou?rs)\b")
_COMPARISON = re.compile(r"\b(more|fewer|less|than|same|bigger|smaller|larger|taller|shorter|compare|equal|"
                         r"different|older|younger|heavier|lighter)\b")
_SPATIAL = re.compile(r"\b(left|right|above|below|under|underneath|beneath|behind|next to|beside|near|"
                      r"in front of|on top of|between|where|inside|outside|top|bottom)\b")
_YES_NO = re.compile(r"^(is|are|does|do|did|can|could|was|were|has|have|had|will|would|should|shall|may|might)\b")


def infer_question_type(question: str, n_images: int = 1) -> str:
    """A coarse question type from the wording (used when the gold line has no ``type``)."""
    q = " ".join(str(question).lower().split())
    if n_images >= 2 or _TWO_IMAGE.search(q):
        return "two-image"
    if _COUNTING.search(q):
        return "counting"
    if _COLOUR.search(q):
        return "colour"
    if _READING.search(q):
        return "reading"
    if _COMPARISON.search(q):
        return "comparison"
    if _SPATIAL.search(q):
        return "spatial"
    if _YES_NO.search(q):
        return "yes/no"
    return "other"


def question_type(gold: Mapping[str, Any]) -> str:
    if gold.get("type"):
        return str(gold["type"])
    images = gold.get("images")
    n = len(images) if isinstance(images, (list, dict)) else 1
    return infer_question_type(str(gold.get("question", "")), n)


@dataclass
class TypeScore:
    total: int = 0
    correct: int = 0

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.total if self.total else None

    def to_dict(self) -> dict:
        return {"total": self.total, "correct": self.correct, "accuracy": self.accuracy}


@dataclass
class ScoreReport:
    total: int = 0  # gold lines with at least one accepted answer
    answered: int = 0  # of those, how many have a non-empty prediction
    correct: int = 0
    missing: list[str] = field(default_factory=list)  # gold ids with no prediction line at all
    by_type: dict[str, TypeScore] = field(default_factory=dict)

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.total if self.total else None

    def to_dict(self) -> dict:
        return {
            "total": self.total, "answered": self.answered, "correct": self.correct, "accuracy": self.accuracy,
            "missing": list(self.missing),
            "by_type": {name: ts.to_dict() for name, ts in sorted(self.by_type.items())},
        }

    def format(self) -> str:
        def pct(x: float | None) -> str:
            return "n/a" if x is None else f"{100 * x:.1f}%"

        lines = [f"accuracy {pct(self.accuracy)} ({self.correct}/{self.total}), answered {self.answered}"
                 + (f", missing {len(self.missing)}" if self.missing else "")]
        for name, ts in sorted(self.by_type.items()):
            lines.append(f"  {name:<12} {pct(ts.accuracy):>7} ({ts.correct}/{ts.total})")
        return "\n".join(lines)


def score(preds: Mapping[str, Any], gold: Iterable[Mapping[str, Any]]) -> ScoreReport:
    """Score ``preds`` (id -> answer, None for failed items) against gold lines with accepted answers.

    Gold lines without an ``id`` or without any accepted answer are not counted.
    """
    report = ScoreReport()
    for item in gold:
        accepted = accepted_answers(item)
        if "id" not in item or not accepted:
            continue
        gid = str(item["id"])
        qtype = question_type(item)
        ts = report.by_type.setdefault(qtype, TypeScore())
        report.total += 1
        ts.total += 1
        if gid not in preds:
            report.missing.append(gid)
            continue
        pred = preds[gid]
        if pred is not None and str(pred).strip():
            report.answered += 1
        if is_correct(pred, accepted):
            report.correct += 1
            ts.correct += 1
    return report
