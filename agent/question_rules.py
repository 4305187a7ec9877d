"""Question families whose program is fixed: planned by rule, without the LLM.

Like reading questions (``agent.reading_rule``), two families need no planning at all, and a small
LLM plans them badly (it wrote OCR for "What drink is in the cup?"):

* **category**: "what animal is this?", "which kind of vehicle is shown?", "what drink is in the
  cup?" -> ``CLASSIFY(image, categories=['<category>'])``, which answers with the everyday name of
  the member of that category the picture shows ('cat', not 'tiger cat'), or 'unknown';
* **scene**: "was this taken by day or at night?", "is it indoors or outdoors?" ->
  ``SCENE(image, aspect=...)``, which answers with a confidence and says 'uncertain' when unsure;
* **text**: "does the menu list tea?", "does the sign mention parking?" -> ``OCR(image)`` then EVAL
  ``'<words>' in`` the text (case and line breaks ignored). The 1.5B had located a 'menu' and counted it.
  The words come from the question and are kept only when they are plain words (letters, digits,
  spaces, hyphens), so nothing the user writes reaches EVAL but a quoted literal.

Only the category words of ``tools.categories`` count, never a detector class ("what is the person
holding?" is not a category question), and only with one image.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tools.categories import category
from tools.vocabulary import canonical

_CATEGORY_Q = re.compile(
    r"^\s*(?:what|which)\s+(?:kind|type|sort|breed|species)?\s*(?:of\s+)?(?P<word>[a-z]+(?:\s+[a-z]+)?)\s+"
    r"(?:is|are|do you see|can you see|can be seen|appears?|does the (?:picture|image|photo) show)\b",
    re.IGNORECASE)
_CATEGORY_Q2 = re.compile(
    r"^\s*what\s+is\s+the\s+(?P<word>[a-z]+)\s+(?:in|on|shown|pictured|visible)\b", re.IGNORECASE)
_DAY_NIGHT = re.compile(r"\b(?:day(?:time|light)?|night(?:time)?|dark outside|evening)\b", re.IGNORECASE)
_INDOOR = re.compile(r"\b(?:indoors?|outdoors?|inside|outside)\b", re.IGNORECASE)
_COUNTING = re.compile(r"\bhow many\b|\bnumber of\b|\bcount\b", re.IGNORECASE)
_TEXT_HOLDERS = (r"text|sign|signs|menu|page|label|poster|board|card|note|cover|book|banner|notice|document|letter|"
                 r"writing|caption|screen|placard|sticker|ticket|receipt|heading|title")
_TEXT_Q = re.compile(
    rf"^\s*(?:does|do|did)\s+(?:the|this|that)\s+(?:{_TEXT_HOLDERS})"
    r"(?:\s+(?:on|in|of)\s+(?:the|this|that)\s+[a-z]+)?\s+"
    r"(?:say|mention|list|contain|include|read|show|spell)s?\s+(?:the\s+words?\s+)?"
    r"['\"\u2018\u201c]?(?P<words>[a-z0-9][a-z0-9 \-]{0,38}?)['\"\u2019\u201d]?\s*[?.!]*\s*$",
    re.IGNORECASE)


def category_word(question: str) -> str | None:
    """The category a "what <category> is ..." question asks within (e.g. 'animal', 'drink'), else None."""
    for pattern in (_CATEGORY_Q, _CATEGORY_Q2):
        m = pattern.match(question)
        if m is None:
            continue
        word = m.group("word").lower().strip()
        for candidate in (word, word.split()[-1]):
            name = category(candidate)
            if name is not None and canonical(candidate) is None:
                return name
    return None


_SCENE_WORDS = {"day_night": ("day", "night"), "indoor_outdoor": ("indoor", "outdoor")}
_NIGHT = re.compile(r"\b(?:night(?:time)?|dark outside|evening)\b", re.IGNORECASE)
_OUTSIDE = re.compile(r"\b(?:outdoors?|outside)\b", re.IGNORECASE)


def scene_aspect(question: str) -> tuple[str, str | None] | None:
    """(aspect, None) for "day or night?" / "indoors or outdoors?" questions; (aspect, value) for yes/no ones
    ("is it night?" -> ('day_night', 'night')); None for anything else."""
    if _COUNTING.search(question) or not re.search(r"\b(?:taken|photo|picture|image|it|scene|time of day)\b",
                                                  question, re.I):
        return None
    yes_no = re.match(r"^\s*(?:is|was|are|were|does|did)\b", question, re.I) is not None
    for aspect, pattern, second in (("day_night", _DAY_NIGHT, _NIGHT), ("indoor_outdoor", _INDOOR, _OUTSIDE)):
        found = {m.group(0).lower() for m in pattern.finditer(question)}
        if not found:
            continue
        first_word, other_word = _SCENE_WORDS[aspect]
        both = len(found) > 1 or "time of day" in question.lower()
        if both or not yes_no:
            return aspect, None
        return aspect, other_word if second.search(question) else first_word
    return None


def text_words(question: str) -> str | None:
    """The words a "does the <sign/menu/page...> say/mention/list X?" question looks for (lower case), else None."""
    m = _TEXT_Q.match(" ".join(str(question).replace("\u2019", "'").split()))
    if m is None:
        return None
    words = " ".join(m.group("words").lower().split())
    return words if re.fullmatch(r"[a-z0-9][a-z0-9 \-]*", words) else None


def family_program(question: str, image_names: Sequence[str]) -> tuple[str, str] | None:
    """(family, program) for a category, scene or text-contains question on one image, else None."""
    if len(image_names) != 1:
        return None
    image = image_names[0]
    words = text_words(question)
    if words is not None:
        return "text", (f"TEXT0=OCR(image={image})\nANSWER0=EVAL(expr=\"'yes' if '{words}' in {{TEXT0}} else 'no'\")\n"
                        "FINAL_RESULT=RESULT(var=ANSWER0)")
    scene = scene_aspect(question)
    if scene is not None:
        aspect, asked = scene
        program = f"ANSWER0=SCENE(image={image},aspect='{aspect}')\n"
        if asked is None:
            return "scene", program + "FINAL_RESULT=RESULT(var=ANSWER0)"
        # yes/no: 'uncertain' stays uncertain, never a guess
        return "scene", (program + f"ANSWER1=EVAL(expr=\"'yes' if {{ANSWER0}} == '{asked}' else ('uncertain' if "
                         f"{{ANSWER0}} == 'uncertain' else 'no')\")\nFINAL_RESULT=RESULT(var=ANSWER1)")
    word = category_word(question)
    if word is not None:
        return "category", f"ANSWER0=CLASSIFY(image={image},categories=['{word}'])\nFINAL_RESULT=RESULT(var=ANSWER0)"
    return None
