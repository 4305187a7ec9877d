import pytest

from agent.score import accepted_answers, infer_question_type, is_correct, normalize_answer, score


@pytest.mark.parametrize("raw, expected", [
    ("Three", "3"), ("  The Red car. ", "red car"), ("a dog!", "dog"), ("TRUE", "yes"), ("false", "no"),
    ("1,000", "1000"), ("1.5", "1.5"), ("3.0", "3"), ("it's", "its"), ("isn't", "is not"), ("zero", "0"),
    (None, ""), (7, "7"), ("yes.", "yes"), ("black-and-white", "black and white"),
])
def test_normalize_answer(raw, expected):
    assert normalize_answer(raw) == expected


def test_is_correct():
    assert is_correct("Two", ["2"])
    assert is_correct("the bus", ["bus", "truck"])
    assert is_correct("Yes, there is a dog.", ["yes"])
    assert not is_correct("no", ["yes"])
    assert not is_correct("", ["", "yes"])
    assert not is_correct(None, ["yes"])
    assert not is_correct("red car", ["red"])


def test_accepted_answers_from_answer_and_answers():
    assert accepted_answers({"answer": ["a", None, " "], "answers": ["b"]}) == ["a", "b"]
    assert accepted_answers({"answer": 3}) == ["3"]
    assert accepted_answers({}) == []


@pytest.mark.parametrize("question, expected", [
    ("How many people are there?", "counting"),
    ("What is the number of buses?", "counting"),
    ("Is there a dog?", "yes/no"),
    ("What color is the bus?", "colour"),
    ("What does the sign say?", "reading"),
    ("Is the cup to the left of the plate?", "spatial"),
    ("Are there more cats than dogs?", "comparison"),
    ("Does the left image show more dogs than the right image?", "two-image"),
    ("What animal is this?", "other"),
])
def test_infer_question_type(question, expected):
    assert infer_question_type(question) == expected


def test_score_overall_and_per_type():
    gold = [
        {"id": "1", "question": "How many dogs?", "answer": "two"},
        {"id": "2", "question": "Is it red?", "answer": ["yes", "yeah"]},
        {"id": "3", "question": "What is it?", "answer": "cat", "type": "custom"},
        {"id": "4", "question": "What is it?", "answer": "cat"},
        {"id": "5", "question": "Which two?", "images": ["a", "b"], "answer": "x"},
        {"id": "6", "question": "No gold here"},
    ]
    report = score({"1": "2", "2": "no", "3": "Cat.", "5": None, "6": "anything"}, gold)
    data = report.to_dict()
    assert (data["total"], data["correct"], data["answered"]) == (5, 2, 3)
    assert data["accuracy"] == pytest.approx(0.4)
    assert data["missing"] == ["4"]
    assert data["by_type"]["counting"] == {"total": 1, "correct": 1, "accuracy": 1.0}
    assert data["by_type"]["yes/no"]["correct"] == 0
    assert data["by_type"]["custom"]["correct"] == 1
    assert data["by_type"]["two-image"]["total"] == 1
    assert "40.0%" in report.format()


def test_score_without_gold_has_no_accuracy():
    assert score({}, [{"id": "1"}]).accuracy is None
