from tools.vocabulary import canonical, labels_match, singular, split_color


def test_synonyms_and_plurals():
    for word in ("people", "men", "women", "persons", "child", "a man", "Pedestrians"):
        assert canonical(word) == "person", word
    assert canonical("motorbike") == "motorcycle"
    assert canonical("bikes") == "bicycle"
    assert canonical("television") == canonical("TV") == "tv"
    assert canonical("sofa") == "couch"
    assert canonical("cellphone") == canonical("phone") == "cell phone"
    assert canonical("planes") == "airplane"
    assert canonical("ball") == "sports ball"
    assert canonical("buses") == "bus"
    assert canonical("traffic lights") == "traffic light"
    assert canonical("red double-decker bus") == "bus"


def test_out_of_vocabulary():
    assert canonical("zebra crossing") is None
    assert canonical("spaceship") is None


def test_helpers():
    assert singular("knives") == "knife" and singular("cars") == "car" and singular("glass") == "glass"
    assert split_color("the red car") == (["red"], "car")
    assert split_color("grey cats") == (["gray"], "cats")
    assert labels_match("person", "women") and not labels_match("car", "bus")
