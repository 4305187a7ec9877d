import json

import pytest

from agent.batch.items import read_gold, read_items
from agent.errors import InputError


def _write(tmp_path, lines):
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(line if isinstance(line, bytes) else line.encode() for line in lines) + b"\n")
    return path


def test_paths_are_relative_to_the_input_folder(tmp_path):
    path = _write(tmp_path, [json.dumps({"id": 7, "image": "a.png", "question": "q?", "answer": "x", "type": "t"}),
                             json.dumps({"id": "b", "images": {"LEFT": "l.png", "RIGHT": "/abs/r.png"}, "question": "q"}),
                             json.dumps({"id": "c", "images": ["x.png", "y.png"], "question": "q", "kb": "kb"})])
    items, problems = read_items(path)
    assert problems == []
    assert items[0].id == "7" and items[0].images == str(tmp_path / "a.png") and items[0].extra == {"type": "t"}
    assert items[1].images == {"LEFT": str(tmp_path / "l.png"), "RIGHT": "/abs/r.png"}
    assert items[2].images == [str(tmp_path / "x.png"), str(tmp_path / "y.png")]
    assert items[2].kb == str(tmp_path / "kb")
    assert [i.line for i in items] == [1, 2, 3]


def test_every_malformed_line_becomes_a_problem_with_a_unique_id(tmp_path):
    path = _write(tmp_path, [
        json.dumps({"id": "a", "image": "a.png", "question": "q"}),
        b"{not json",
        b"\xff\xfe",
        json.dumps([1, 2]),
        json.dumps({"image": "a.png", "question": "q"}),
        json.dumps({"id": "m", "image": "a.png"}),
        json.dumps({"id": "n", "question": "q"}),
        json.dumps({"id": "o", "image": "a.png", "images": ["b.png"], "question": "q"}),
        json.dumps({"id": "p", "images": [], "question": "q"}),
        json.dumps({"id": "a", "image": "b.png", "question": "dup"}),
        json.dumps({"id": "line-2", "image": "a.png", "question": "q"}),  # collides with a generated id
        b"",
        b"   ",
    ])
    items, problems = read_items(path)
    assert [i.id for i in items] == ["a", "line-2"]
    by_line = {p.line: p for p in problems}
    assert sorted(by_line) == [2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert by_line[2].id == "line-2_" and "invalid JSON" in by_line[2].error.message
    assert by_line[3].id == "line-3" and "UTF-8" in by_line[3].error.message
    assert by_line[6].id == "m" and "question" in by_line[6].error.message
    assert by_line[7].id == "n" and "image" in by_line[7].error.message
    assert by_line[10].id == "line-10" and "duplicate id 'a'" in by_line[10].error.message
    ids = [i.id for i in items] + [p.id for p in problems]
    assert len(ids) == len(set(ids))
    assert all(str(path) in p.error.message or "duplicate" in p.error.message for p in problems)


def test_missing_input_file_is_a_typed_error(tmp_path):
    with pytest.raises(InputError, match="no such input file"):
        read_items(tmp_path / "nope.jsonl")


def test_read_gold_keeps_first_of_each_id(tmp_path):
    path = _write(tmp_path, [json.dumps({"id": 1, "answer": "a"}), b"junk", json.dumps({"id": "1", "answer": "b"})])
    assert read_gold(path) == [{"id": "1", "answer": "a"}]
