import json
import os

import pytest

from agent.batch.io import ResultWriter, read_results
from agent.errors import InputError


def _rec(i):
    return {"id": f"x{i}", "answer": "é" * i, "error": None}


def test_write_appends_complete_lines(tmp_path):
    out = tmp_path / "sub" / "out.jsonl"
    with ResultWriter(out) as w:
        for i in range(3):
            w.write(_rec(i))
    assert out.read_text(encoding="utf-8").count("\n") == 3
    assert list(read_results(out)) == ["x0", "x1", "x2"]


def test_existing_output_needs_resume_or_overwrite(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text(json.dumps(_rec(1)) + "\n")
    with pytest.raises(InputError, match="already exists") as info:
        ResultWriter(out)
    assert "--resume" in info.value.hint and "--overwrite" in info.value.hint
    with ResultWriter(out, overwrite=True) as w:
        assert w.done_ids == set()
    assert out.read_text() == ""
    ResultWriter(out).close()  # an empty file is fine without flags


@pytest.mark.parametrize("tail", [b'{"id": "x9", "ans', b'{"id": "x9", "answer": null, "error": null}', b"\x00\x00"])
def test_resume_cuts_a_torn_last_line(tmp_path, tail):
    out = tmp_path / "out.jsonl"
    good = b"".join(json.dumps(_rec(i)).encode() + b"\n" for i in range(2))
    out.write_bytes(good + tail)
    with ResultWriter(out, resume=True) as w:
        assert w.done_ids == {"x0", "x1"}  # a line without its newline is not done, even if it parses
        assert w.repaired_bytes == len(tail)
        w.write(_rec(5))
    assert list(read_results(out)) == ["x0", "x1", "x5"]
    assert out.read_bytes().endswith(b"\n")


def test_resume_cuts_an_invalid_last_line_but_refuses_a_bad_middle_line(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_bytes(b'{"id": "a", "answer": 1, "error": null}\n{"id": \n')
    with ResultWriter(out, resume=True) as w:
        assert w.done_ids == {"a"}
    assert out.read_bytes() == b'{"id": "a", "answer": 1, "error": null}\n'
    out.write_bytes(b'{"id": "a", "answer": 1, "error": null}\ngarbage\n{"id": "b", "answer": 2, "error": null}\n')
    with pytest.raises(InputError, match=":2: not a valid result line"):
        ResultWriter(out, resume=True)
    assert out.read_bytes() == b'{"id": "a", "answer": 1, "error": null}\ngarbage\n{"id": "b", "answer": 2, "error": null}\n'  # untouched


def test_a_second_writer_on_the_same_file_is_refused(tmp_path):
    out = tmp_path / "out.jsonl"
    with ResultWriter(out):
        with pytest.raises(InputError, match="another batch"):
            ResultWriter(out, resume=True)
    ResultWriter(out, resume=True).close()


def test_output_path_that_is_a_directory(tmp_path):
    with pytest.raises(InputError, match="directory"):
        ResultWriter(tmp_path)


def test_read_results_skips_torn_lines_and_keeps_first(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_bytes(b'{"id": "a", "answer": "1"}\n{"id": "a", "answer": "2"}\n[]\n{"id": "b", "ans')
    assert read_results(out) == {"a": {"id": "a", "answer": "1"}}
    assert os.path.getsize(out) > 0
