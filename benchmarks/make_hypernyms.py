"""Build tools/data/hypernyms.json from WordNet 3.0: categories and common names of detector/classifier labels.

    apt-get install -y wordnet-base          # Debian's WordNet 3.0 database in /usr/share/wordnet
    .venv/bin/python benchmarks/make_hypernyms.py [--wordnet /usr/share/wordnet]

Labels: the 80 COCO classes (tools.vocabulary.COCO_LABELS) and the 1000 ImageNet classes as torchvision
names them (what the classifier reports), each tied to its synset by ImageNet's WordNet id
(benchmarks/data/imagenet_wnids.txt; "crane" 134 is the bird, 517 the machine). COCO classes take a pinned sense.

For each label the file records the categories it falls under (a label is in "vehicle" when one of the
category's root synsets is among its hypernyms) and its common name: the nearest hypernym (or itself) that
is a basic-level word people use ("tiger cat" -> "cat", "golden retriever" -> "dog").
The mapping is data: committed, and rebuilt only when this script changes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "tools" / "data" / "hypernyms.json"
# ImageNet-1k WordNet ids in class order (the list timm ships as timm/data/_info/imagenet_synsets.txt, Apache-2.0)
WNIDS = ROOT / "benchmarks" / "data" / "imagenet_wnids.txt"

# Category word -> root synsets ("lemma" or "lemma/hypernym word") whose hyponyms belong to it; "-" marks an excluded subtree.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "animal": ("animal", "-person"),
    "mammal": ("mammal",),
    "bird": ("bird",),
    "fish": ("fish",),
    "reptile": ("reptile",),
    "amphibian": ("amphibian/vertebrate",),
    "insect": ("insect",),
    "dog": ("dog",),
    "cat": ("cat",),
    "vehicle": ("vehicle", "public_transport", "-sled", "-bobsled", "-rocket", "-missile",
                "-space_shuttle"),
    "aircraft": ("aircraft",),
    "watercraft": ("vessel/craft", "boat"),
    "food": ("food/substance", "food/solid", "-beverage"),
    "fruit": ("edible_fruit",),
    "vegetable": ("vegetable",),
    "drink": ("beverage",),
    "furniture": ("furniture",),
    "appliance": ("home_appliance",),
    "electronic device": ("electronic_equipment", "computer", "telephone", "electronic_device"),
    "kitchenware": ("kitchen_utensil", "tableware", "cutlery"),
    "sports equipment": ("sports_equipment", "game_equipment"),
    "clothing": ("clothing",),
    "bag": ("bag/container", "handbag", "suitcase"),
    "container": ("container",),
    "plant": ("plant/organism",),
    "flower": ("flower",),
    "musical instrument": ("musical_instrument",),
    "tool": ("tool",),
    "toy": ("plaything",),
    "weapon": ("weapon",),
    "building": ("building",),
    "person": ("person",),
}

# Labels WordNet files under a category that a person would not put there (an ImageNet "menu" is printed).
NOT_IN = {
    "food": {"menu", "hay"}, "kitchenware": {"Petri dish"}, "electronic device": {"web site", "slide rule"},
    "vehicle": {"skateboard", "shopping cart", "barrow", "wreck"}, "watercraft": {"wreck"},
    "sports equipment": {"crossword puzzle", "jigsaw puzzle", "golfcart"}, "furniture": {"table lamp", "toilet seat"},
}

# Basic-level words (Rosch): what a person calls a thing. The nearest of these above a label is its common name.
BASIC = (
    "dog", "cat", "bird", "fish", "shark", "ray/fish", "snake", "lizard", "turtle/reptile", "frog",
    "salamander", "crocodile", "alligator/reptile", "spider", "crab", "lobster/crustacean", "insect", "butterfly",
    "beetle", "ant", "bee", "fly", "grasshopper", "dragonfly", "monkey", "ape", "bear",
    "wolf", "fox", "rabbit", "squirrel", "pig", "sheep", "goat", "horse", "whale/mammal",
    "seal/mammal", "elephant", "zebra", "giraffe", "lion", "tiger/big_cat", "leopard/big_cat", "jaguar", "cheetah",
    "owl", "eagle", "parrot", "penguin", "duck", "goose", "swan", "chicken/domestic_fowl",
    "snail", "jellyfish/coelenterate", "starfish", "crayfish/crustacean", "worm", "mouse", "rat", "hamster",
    "hedgehog/insectivore", "otter/mammal", "beaver/rodent", "camel", "llama", "bison", "ox", "cattle", "deer",
    "car", "truck", "bus", "train", "boat", "ship", "airplane", "helicopter", "bicycle",
    "motorcycle", "tractor", "tank", "van/truck", "streetcar",
    "chair", "table/furniture", "bed", "sofa", "desk", "bookcase", "cabinet",
    "pizza", "sandwich", "hamburger", "hotdog/sandwich", "cake/baked_goods", "bread", "ice_cream", "coffee",
    "soup", "wine", "beer", "mushroom/vegetable", "cheese", "pasta", "pie",
    "hat", "shoe", "shirt", "dress", "coat", "jacket", "sock",
    "guitar", "piano", "drum", "violin", "flute", "trumpet", "saxophone", "harp",
    "clock", "watch", "lamp", "computer", "telephone", "television/electronic_equipment", "camera",
    "cup", "bottle", "bowl", "plate/tableware", "pot", "pan", "knife", "spoon", "fork", "glass/container",
    "ball", "flower", "tree", "church/building", "bridge", "tower", "castle/fortification", "tent",
    "gun", "sword", "umbrella", "book", "bag/container", "box", "basket", "hammer/hand_tool", "cougar/feline",
    "lynx/wildcat",
)

# COCO classes whose first WordNet sense is not the one meant; the rest take their first sense.
COCO_SENSES = {
    "person": "person", "airplane": "airplane", "motorcycle": "motorcycle", "traffic light": "traffic_light",
    "fire hydrant": "fireplug", "stop sign": "street_sign", "parking meter": "parking_meter",
    "bear": "bear", "tie": "necktie", "handbag": "handbag", "skis": "ski", "sports ball": "ball",
    "kite": "kite/plaything", "baseball bat": "baseball_bat", "baseball glove": "baseball_glove",
    "tennis racket": "tennis_racket", "wine glass": "wineglass", "cup": "cup", "fork": "fork",
    "knife": "knife", "bowl": "bowl", "orange": "orange", "apple": "apple", "broccoli": "broccoli/vegetable",
    "carrot": "carrot/vegetable", "hot dog": "hotdog/sandwich", "pizza": "pizza", "donut": "doughnut/baked_goods", "cake": "cake/baked_goods",
    "couch": "sofa", "potted plant": "pot_plant", "bed": "bed", "dining table": "dining_table",
    "tv": "television_receiver", "laptop": "laptop", "mouse": "mouse/electronic_device", "remote": "remote_control",
    "keyboard": "computer_keyboard", "cell phone": "cellular_telephone", "oven": "oven",
    "sink": "sink", "book": "book", "clock": "clock", "vase": "vase", "scissors": "scissors",
    "teddy bear": "teddy", "hair drier": "hand_blower", "toothbrush": "toothbrush", "train": "train",
    "boat": "boat", "truck": "truck", "car": "car", "bus": "bus", "bicycle": "bicycle",
    "bench": "bench", "bird": "bird", "cat": "cat", "dog": "dog", "horse": "horse",
    "sheep": "sheep", "cow": "cattle", "elephant": "elephant", "zebra": "zebra", "giraffe": "giraffe",
    "backpack": "backpack", "umbrella": "umbrella", "suitcase": "suitcase", "frisbee": "frisbee",
    "snowboard": "snowboard", "skateboard": "skateboard", "surfboard": "surfboard", "bottle": "bottle",
    "spoon": "spoon", "banana": "banana/edible_fruit", "sandwich": "sandwich", "chair": "chair", "toilet": "toilet/plumbing_fixture",
    "microwave": "microwave/kitchen_appliance", "toaster": "toaster/kitchen_appliance", "refrigerator": "electric_refrigerator",
}


class WordNet:
    """Just enough of WordNet's noun database: lemma senses and hypernym links."""

    def __init__(self, folder: Path) -> None:
        self.senses: dict[str, list[int]] = {}
        for line in (folder / "index.noun").read_text(encoding="latin-1").splitlines():
            if line.startswith(" "):
                continue
            parts = line.split()
            n_synsets, n_ptrs = int(parts[2]), int(parts[3])
            self.senses[parts[0].lower()] = [int(o) for o in parts[4 + n_ptrs + 2:4 + n_ptrs + 2 + n_synsets]]
        self.parents: dict[int, list[int]] = {}
        self.words: dict[int, list[str]] = {}
        for line in (folder / "data.noun").read_text(encoding="latin-1").splitlines():
            if line.startswith(" "):
                continue
            fields = line.split(" | ")[0].split()
            offset, n_words = int(fields[0]), int(fields[3], 16)
            words = [fields[4 + 2 * i].replace("_", " ") for i in range(n_words)]
            pos = 4 + 2 * n_words
            n_ptrs = int(fields[pos])
            ptrs = [fields[pos + 1 + 4 * i:pos + 5 + 4 * i] for i in range(n_ptrs)]
            self.words[offset] = [w.split("(")[0] for w in words]
            self.parents[offset] = [int(p[1]) for p in ptrs if p[0] in ("@", "@i") and p[2] == "n"]

    def synset(self, ref: str) -> int:
        """'lemma' (its first sense) or 'lemma/word' (its first sense with a hypernym named word) -> offset."""
        lemma, _, above = ref.partition("/")
        fits = [o for o in self.senses[lemma.lower()]
                if not above or any(above.replace("_", " ") in self.words[a] for a in self.ancestors(o)[1:])]
        if not fits:
            raise KeyError(f"no sense of {lemma!r} under {above!r}")
        # a synset headed by the lemma itself ("jellyfish") before one that merely lists it ("man-of-war")
        return next((o for o in fits if self.words[o][0].lower() == lemma.replace("_", " ").lower()), fits[0])

    def lookup(self, name: str) -> list[int]:
        key = name.lower().replace(" ", "_")
        return self.senses.get(key) or self.senses.get(key.replace("-", "_")) or []

    def ancestors(self, offset: int) -> list[int]:
        """The synset and its hypernyms, nearest first (breadth first)."""
        seen, order, frontier = {offset}, [offset], [offset]
        while frontier:
            nxt = []
            for o in frontier:
                for p in self.parents.get(o, []):
                    if p not in seen:
                        seen.add(p)
                        order.append(p)
                        nxt.append(p)
            frontier = nxt
        return order


def resolve_imagenet(wn: WordNet, names: list[str], wnids: list[str]) -> list[int]:
    """The synset of each ImageNet class from its WordNet id, checked against the classifier's name for it."""
    if len(wnids) != len(names):
        raise SystemExit(f"{len(wnids)} ImageNet ids for {len(names)} class names")
    chosen = []
    for name, wnid in zip(names, wnids, strict=True):
        offset = int(wnid.lstrip("n"))
        words = {w.lower() for w in wn.words.get(offset, [])}
        # torchvision renamed two clashing names: "crane bird", "maillot tank suit"
        if not words & {name.lower(), " ".join(name.split()[:-1]).lower(), " ".join(name.split()[1:]).lower()}:
            raise SystemExit(f"ImageNet id {wnid} is {sorted(words)}, not {name!r}: wrong id list?")
        chosen.append(offset)
    return chosen


def build(wn: WordNet, labels: dict[str, list[int]], keep_names: set[str]) -> dict:
    roots = {cat: ({wn.synset(r) for r in refs if not r.startswith("-")},
                   {wn.synset(r[1:]) for r in refs if r.startswith("-")}) for cat, refs in CATEGORIES.items()}
    basic = {wn.synset(ref): ref.split("/")[0].replace("_", " ") for ref in BASIC}
    members: dict[str, list[str]] = {cat: [] for cat in CATEGORIES}
    common: dict[str, str] = {}
    for label, offsets in labels.items():
        names = set()
        for offset in offsets:  # a name two classes share ("crane": bird and machine) falls under both
            chain = wn.ancestors(offset)
            found = set(chain)
            for cat, (include, exclude) in roots.items():
                if found & include and not found & exclude and label not in NOT_IN.get(cat, ()):
                    members[cat].append(label)
            names.add(next((basic[o] for o in chain if o in basic), label))
        name = names.pop() if len(names) == 1 and label not in keep_names else label
        if name.lower() != label.lower():
            common[label] = name
    return {
        "source": "WordNet 3.0 (Debian wordnet-base), built by benchmarks/make_hypernyms.py",
        "categories": {cat: sorted(set(m)) for cat, m in members.items()},
        "common": dict(sorted(common.items())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wordnet", default="/usr/share/wordnet", help="folder with index.noun and data.noun")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()
    folder = Path(args.wordnet)
    if not (folder / "data.noun").is_file():
        raise SystemExit(f"no WordNet database in {folder}: apt-get install -y wordnet-base")
    from tools.classify_efficientnet import imagenet_categories
    from tools.vocabulary import COCO_LABELS

    wn = WordNet(folder)
    labels: dict[str, list[int]] = {}
    names = imagenet_categories()
    wnids = WNIDS.read_text().split()
    for name, offset in zip(names, resolve_imagenet(wn, names, wnids), strict=True):
        labels.setdefault(name, []).append(offset)
    for label in COCO_LABELS:
        labels[label] = [wn.synset(COCO_SENSES.get(label, label.replace(" ", "_")))]
    data = build(wn, labels, keep_names=set(COCO_LABELS))  # COCO's names are everyday words already
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(data, indent=0, sort_keys=False) + "\n")
    sizes = ", ".join(f"{cat} {len(m)}" for cat, m in data["categories"].items())
    print(f"wrote {args.out}: {len(labels)} labels, {len(data['common'])} common names; {sizes}")


if __name__ == "__main__":
    main()
