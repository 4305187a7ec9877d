"""Category words over detector and classifier labels: "vehicle" means car, bus, truck, train, boat...

The mapping is data (tools/data/hypernyms.json), derived from WordNet 3.0's hypernym hierarchy by
benchmarks/make_hypernyms.py for the 80 COCO and 1000 ImageNet labels:

* ``members("vehicle")`` - every label under the category (COCO and ImageNet names);
* ``common_name("tiger cat")`` - the basic-level word a person would use ("cat");
* ``named_within("tiger cat", "animal")`` - the answer to "which animal": "cat"; within "cat" it stays "tiger cat".
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from types import MappingProxyType

from tools.vocabulary import normalise_query, singular

DATA = Path(__file__).resolve().parent / "data" / "hypernyms.json"

# Words people use for a category, beyond its own name and plural.
ALIASES = MappingProxyType({
    "creature": "animal", "beast": "animal", "wildlife": "animal", "pet": "animal",
    "beverage": "drink", "electronic": "electronic device", "electronics": "electronic device",
    "gadget": "electronic device", "electronic equipment": "electronic device",
    "clothes": "clothing", "garment": "clothing", "apparel": "clothing", "outfit": "clothing",
    "kitchen utensil": "kitchenware", "utensil": "kitchenware", "tableware": "kitchenware", "cutlery": "kitchenware",
    "home appliance": "appliance", "household appliance": "appliance", "instrument": "musical instrument",
    "sport equipment": "sports equipment", "sporting goods": "sports equipment", "plaything": "toy",
    "meal": "food", "snack": "food", "transport": "vehicle", "conveyance": "vehicle",
    "means of transport": "vehicle", "boat": "watercraft", "ship": "watercraft", "vessel": "watercraft",
    "plane": "aircraft", "fruits": "fruit", "veggie": "vegetable", "critter": "animal", "human": "person",
})


@functools.lru_cache(maxsize=1)
def _data() -> tuple[MappingProxyType, MappingProxyType]:
    raw = json.loads(DATA.read_text())
    cats = MappingProxyType({c: frozenset(labels) for c, labels in raw["categories"].items()})
    return cats, MappingProxyType(dict(raw["common"]))


def category_names() -> tuple[str, ...]:
    return tuple(_data()[0])


def category(word: str) -> str | None:
    """The category a word names ('vehicles' -> 'vehicle', 'beverage' -> 'drink'), or None."""
    cats = _data()[0]
    text = normalise_query(word)
    if not text:
        return None
    words = text.split()
    for cand in (text, " ".join(words[:-1] + [singular(words[-1])])):
        if cand in cats:
            return cand
        if cand in ALIASES:
            return ALIASES[cand]
    return None


def members(name: str) -> set[str]:
    """Every COCO/ImageNet label under a category word (empty set when it is not a category)."""
    cat = category(name)
    return set(_data()[0][cat]) if cat else set()


def categories_of(label: str) -> list[str]:
    """The categories a label falls under ('bus' -> ['vehicle'])."""
    return [c for c, labels in _data()[0].items() if label in labels]


def common_name(label: str) -> str:
    """The everyday word for a label: 'tiger cat' -> 'cat', 'golden retriever' -> 'dog', 'bus' -> 'bus'."""
    return _data()[1].get(label, label)


def named_within(label: str, within: str) -> str:
    """How to name ``label`` when asked which ``within`` it is.

    The common name, unless that is the category itself: which animal -> 'cat'; which cat -> 'tiger cat'.
    """
    name = common_name(label)
    return label if category(name) == category(within) else name


def in_category(label: str, name: str) -> bool:
    return label in members(name)
