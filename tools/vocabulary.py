"""Mapping the words a program uses onto detector labels (plurals, synonyms, colour words).

A question says "people", "motorbikes" or "the tv"; COCO says "person", "motorcycle" and
"tv". ``canonical`` maps the former onto the latter so LOC and SELECT agree on what matches.
"""

from __future__ import annotations

import re

COCO_LABELS: tuple[str, ...] = (
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
    "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
    "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
    "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
    "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
    "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
    "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard",
    "cell phone", "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors",
    "teddy bear", "hair drier", "toothbrush",
)

SYNONYMS: dict[str, str] = {
    # people
    "people": "person", "persons": "person", "man": "person", "men": "person", "woman": "person",
    "women": "person", "child": "person", "children": "person", "kid": "person", "kids": "person",
    "boy": "person", "boys": "person", "girl": "person", "girls": "person", "human": "person",
    "humans": "person", "pedestrian": "person", "pedestrians": "person", "player": "person",
    "players": "person", "guy": "person", "lady": "person", "ladies": "person", "adult": "person",
    "baby": "person", "rider": "person", "skier": "person", "surfer": "person",
    # vehicles
    "motorbike": "motorcycle", "motor bike": "motorcycle", "scooter": "motorcycle", "moped": "motorcycle",
    "bike": "bicycle", "cycle": "bicycle", "plane": "airplane", "aeroplane": "airplane", "jet": "airplane",
    "aircraft": "airplane", "airliner": "airplane", "automobile": "car", "taxi": "car", "cab": "car",
    "suv": "car", "van": "car", "lorry": "truck", "pickup": "truck", "coach": "bus",
    "ship": "boat", "sailboat": "boat", "canoe": "boat", "kayak": "boat", "yacht": "boat", "locomotive": "train",
    "tram": "train",
    # household
    "television": "tv", "tv monitor": "tv", "tvmonitor": "tv", "monitor": "tv", "screen": "tv",
    "sofa": "couch", "settee": "couch", "cellphone": "cell phone", "phone": "cell phone",
    "mobile phone": "cell phone", "smartphone": "cell phone", "mobile": "cell phone", "table": "dining table",
    "desk": "dining table", "diningtable": "dining table", "pottedplant": "potted plant", "plant": "potted plant", "houseplant": "potted plant", "fridge": "refrigerator",
    "remote control": "remote", "computer mouse": "mouse", "notebook": "laptop", "computer": "laptop",
    "glass": "wine glass", "mug": "cup", "teddy": "teddy bear", "hair dryer": "hair drier",
    "hairdryer": "hair drier", "doughnut": "donut", "hotdog": "hot dog", "purse": "handbag",
    "luggage": "suitcase", "racket": "tennis racket", "racquet": "tennis racket", "bat": "baseball bat",
    "glove": "baseball glove", "mitt": "baseball glove", "ski": "skis", "necktie": "tie",
    "rucksack": "backpack", "hydrant": "fire hydrant", "stoplight": "traffic light",
    "traffic signal": "traffic light", "puppy": "dog", "kitten": "cat", "kitty": "cat", "calf": "cow",
    "cattle": "cow", "lamb": "sheep", "pony": "horse",
    # balls
    "ball": "sports ball", "football": "sports ball", "soccer ball": "sports ball", "basketball": "sports ball",
    "tennis ball": "sports ball", "baseball": "sports ball", "volleyball": "sports ball",
}

# Queries meaning "every detection".
ANY_OBJECT = {"object", "objects", "anything", "everything", "thing", "things", "item", "items", "all"}

# Image halves (VisProg semantics): LOC(image, object='LEFT') is the left half of the image.
HALVES = {"left", "right", "top", "bottom"}

COLOR_WORDS = {
    "red", "orange", "yellow", "green", "blue", "purple", "violet", "pink", "brown", "black", "white",
    "gray", "grey", "silver", "gold", "beige", "cyan", "teal", "navy", "maroon", "olive", "magenta",
    "tan", "cream", "ivory", "turquoise", "golden", "crimson", "indigo", "dark", "light",
}

_IRREGULAR = {"knives": "knife", "skis": "skis", "dishes": "dish", "buses": "bus", "busses": "bus",
              "glasses": "glass", "benches": "bench", "sandwiches": "sandwich", "couches": "couch",
              "boxes": "box", "mice": "mouse", "geese": "goose", "teeth": "tooth", "scissors": "scissors",
              "sheep": "sheep", "skies": "sky", "cookies": "cookie"}


def _clean(text: str) -> str:
    text = text.lower().replace("_", " ").replace("-", " ")
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    text = re.sub(r"\b(the|a|an|some|any|of|all the)\b", " ", text)
    return " ".join(text.split())


def singular(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def _lookup(phrase: str, vocabulary: set[str]) -> str | None:
    if not phrase:
        return None
    if phrase in vocabulary:
        return phrase
    words = phrase.split()
    candidates = [phrase, " ".join(words[:-1] + [singular(words[-1])])]
    for cand in candidates:
        if cand in vocabulary:
            return cand
        mapped = SYNONYMS.get(cand)
        if mapped and mapped in vocabulary:
            return mapped
    return None


def canonical(query: str, vocabulary: tuple[str, ...] | set[str] = COCO_LABELS) -> str | None:
    """The detector label a query names, or None when it is outside the vocabulary.

    Tries the whole phrase, then drops leading modifiers ("red double-decker bus" -> "bus").
    """
    vocab = set(vocabulary)
    words = _clean(query).split()
    for start in range(len(words)):
        found = _lookup(" ".join(words[start:]), vocab)
        if found:
            return found
    return None


def split_color(query: str) -> tuple[list[str], str]:
    """('red car') -> (['red'], 'car'): colour words in a query, and the rest of it."""
    words = _clean(query).split()
    colors = [w for w in words if w in COLOR_WORDS]
    rest = " ".join(w for w in words if w not in COLOR_WORDS)
    return [("gray" if c == "grey" else c) for c in colors], rest


def normalise_query(query: str) -> str:
    return _clean(query)


def category_labels(query: str, vocabulary: tuple[str, ...] | set[str] = COCO_LABELS) -> set[str] | None:
    """The vocabulary labels a category word covers ('vehicles' -> car, bus, truck, ...), or None.

    A query naming a label itself ('dog', 'bus') or one of its synonyms is not a category here.
    """
    from tools.categories import members  # lazy: the mapping file is read on first use

    if canonical(query, vocabulary) is not None:
        return None
    found = members(_clean(query)) & set(vocabulary)
    return found or None


def labels_match(label: str, query: str) -> bool:
    """Whether a box label answers a query word (synonyms, and categories: 'bus' answers 'vehicle')."""
    q = canonical(query, COCO_LABELS + (label,))
    if q is None:
        return label in (category_labels(query, COCO_LABELS + (label,)) or ())
    return q == (canonical(label, COCO_LABELS + (label,)) or label)
