import json

from tools.categories import DATA, categories_of, category, common_name, members, named_within
from tools.vocabulary import COCO_LABELS


def test_vehicle_covers_every_coco_vehicle_and_imagenet_ones():
    vehicles = members("vehicle")
    assert {"car", "bus", "truck", "train", "motorcycle", "bicycle", "boat", "airplane"} <= vehicles
    assert {"school bus", "sports car", "trolleybus", "canoe", "airliner"} <= vehicles
    assert not vehicles & {"person", "skateboard", "traffic light", "stop sign", "dog"}
    assert members("vehicles") == vehicles == members("Vehicle")  # plural and case


def test_animal_and_food_categories():
    animals = members("animal")
    assert {"cat", "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "bird"} <= animals
    assert {"tiger cat", "tabby", "golden retriever", "goldfish"} <= animals
    assert not animals & {"person", "teddy bear", "hot dog", "car"}
    assert {"pizza", "banana", "broccoli", "hot dog", "donut", "cake", "sandwich"} <= members("food")
    assert {"banana", "apple", "orange", "lemon", "strawberry"} <= members("fruit")
    assert "broccoli" not in members("fruit") and "broccoli" in members("vegetable")
    assert {"chair", "couch", "bed", "dining table", "bench"} <= members("furniture")
    assert {"tv", "laptop", "cell phone", "keyboard", "mouse"} <= members("electronic device")
    assert {"backpack", "handbag", "suitcase"} <= members("bag")
    assert {"espresso", "red wine"} <= members("drinks") and members("beverage") == members("drink")


def test_common_names():
    assert common_name("tiger cat") == "cat" and common_name("tabby") == "cat" and common_name("Egyptian cat") == "cat"
    assert common_name("golden retriever") == "dog" and common_name("espresso") == "coffee"
    assert common_name("school bus") == "bus" and common_name("sports car") == "car"
    for label in COCO_LABELS:  # COCO's names are everyday words already
        assert common_name(label) == label
    assert common_name("not a label") == "not a label"


def test_named_within_keeps_detail_below_the_basic_level():
    assert named_within("tiger cat", "animal") == "cat"
    assert named_within("tiger cat", "cat") == "tiger cat"
    assert named_within("golden retriever", "dog") == "golden retriever"
    assert named_within("school bus", "vehicle") == "bus"


def test_category_words_and_membership():
    assert category("animals") == "animal" and category("beverage") == "drink" and category("clothes") == "clothing"
    assert category("bus") is None and category("") is None and members("spaceship") == set()
    assert "vehicle" in categories_of("bus") and "animal" in categories_of("cat")


def test_data_file_is_compact_and_well_formed():
    raw = json.loads(DATA.read_text())
    assert DATA.stat().st_size < 60_000 and "WordNet" in raw["source"]
    from tools.classify_efficientnet import imagenet_categories

    known = set(COCO_LABELS) | set(imagenet_categories())  # every entry names a detector or classifier label
    assert {label for group in raw["categories"].values() for label in group} <= known
    assert set(raw["common"]) <= known and all(isinstance(v, str) and v for v in raw["common"].values())
