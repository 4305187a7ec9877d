"""A batch never destroys its input nor keeps an answer to a question it was not asked (issue 9, items 4, 5, 8).

Every test here fails on the old batch: it replaced an input given as --out, counted an input
file's lines as finished, kept old answers for changed items, read /dev/zero into memory, ran
oversized lines, read any image path, and wrote image errors with ``"line": null``.
"""

import json
import os
import shutil
from pathlib import Path

import pytest
from PIL import Image

from agent.batch import read_items, read_results, run_batch
from agent.cli import main
from agent.config import Config
from agent.errors import InputError
from tests.agent.batch.conftest import STANDIN, read_lines, write_dataset
from tests.agent.batch.standin import COLOURS


def _run(path, out, **kw):
    return run_batch(path, out, reasoner_factory=STANDIN, progress=False, **kw)


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


# -- --out is the input ---------------------------------------------------------------------------

@pytest.mark.parametrize("link", ["same", "hard", "symlink"])
@pytest.mark.parametrize("flag", ["overwrite", "resume"])
def test_out_that_is_the_input_is_refused_before_writing(dataset, tmp_path, link, flag):
    before = dataset.read_bytes()
    out = {"same": dataset, "hard": tmp_path / "hard.jsonl", "symlink": tmp_path / "sym.jsonl"}[link]
    if link == "hard":
        os.link(dataset, out)
    elif link == "symlink":
        out.symlink_to(dataset)
    with pytest.raises(InputError, match="is the input file"):
        _run(dataset, out, **{flag: True})
    assert dataset.read_bytes() == before
    assert not dataset.with_name("in.superseded.jsonl").exists()


def test_cli_same_file_is_a_typed_error(dataset, capsys):
    before = dataset.read_bytes()
    argv = ["batch", str(dataset), "--out", str(dataset), "--overwrite", "--reasoner-factory", STANDIN, "--no-progress"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "InputError" in err and "is the input file" in err and "Traceback" not in err
    assert dataset.read_bytes() == before


@pytest.mark.parametrize("newline", [True, False])
def test_an_input_file_given_as_out_is_never_counted_as_results(dataset, tmp_path, newline):
    out = tmp_path / "copy.jsonl"
    text = dataset.read_text()
    out.write_text(text if newline else text.rstrip("\n"))  # a copy, maybe without the final newline
    before = out.read_bytes()
    with pytest.raises(InputError, match="not a batch result") as info:
        _run(dataset, out, resume=True)
    assert info.value.line == 1 and "input file" in info.value.hint
    assert out.read_bytes() == before  # not even its last line cut


# -- resume checks the input ----------------------------------------------------------------------

def test_resume_redoes_items_whose_input_changed(dataset, tmp_path):
    out = tmp_path / "out.jsonl"
    _run(dataset, out)
    first = read_results(out)
    rows = [json.loads(line) for line in dataset.read_text().splitlines()]
    assert rows[0]["id"] == "q0000" and first["q0000"]["answer"] == "red"
    rows[0]["question"] = "Is it bright?"  # q0000: a new question on the same picture
    _write(dataset, rows)
    # Every item on green.png (q0001, q0006, ...) now sees a yellow picture under the same name.
    Image.new("RGB", (16, 12), COLOURS["yellow"]).save(dataset.parent / "green.png")
    changed = {"q0000"} | {r["id"] for r in rows if r["image"] == "green.png"}

    summary = _run(dataset, out, resume=True)
    assert summary.redone == len(changed) == summary.ran
    assert summary.skipped == 20 - len(changed)
    now = read_results(out)
    assert now["q0000"]["answer"] == "no"  # the new question's answer, not "red"
    assert now["q0006"]["answer"] == "yellow" and first["q0006"]["answer"] == "green"
    assert now["q0002"] == first["q0002"]  # unchanged items keep their record
    ids = [r["id"] for r in read_lines(out)]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 20  # every id once
    # The old answers are kept, not lost.
    old = {r["id"]: r for r in read_lines(Path(summary.superseded))}
    assert set(old) == changed and old["q0006"] == first["q0006"]
    assert _run(dataset, out, resume=True).ran == 0  # and now all is done


def test_strict_refuses_to_resume_over_a_changed_input(dataset, tmp_path):
    out = tmp_path / "out.jsonl"
    _run(dataset, out)
    before = out.read_bytes()
    rows = [json.loads(line) for line in dataset.read_text().splitlines()]
    rows[3]["question"] = "How many pictures?"
    _write(dataset, rows)
    with pytest.raises(InputError, match="--strict refuses") as info:
        _run(dataset, out, resume=True, strict=True)
    assert "'q0003' (input line 4, result line " in info.value.message
    assert out.read_bytes() == before  # nothing written, nothing moved
    assert not (tmp_path / "out.superseded.jsonl").exists()
    with pytest.raises(InputError, match="only applies with --resume"):
        _run(dataset, tmp_path / "other.jsonl", strict=True)
    assert _run(dataset, out, resume=True).redone == 1  # without --strict it is redone


def test_resume_with_another_input_file_keeps_no_stale_answer(tmp_path):
    # The case: a second input reuses an id for another question and image.
    a = write_dataset(tmp_path / "a", n=5)
    b = write_dataset(tmp_path / "b", n=5)
    rows = [json.loads(line) for line in b.read_text().splitlines()]
    rows[0].update(image="blue.png", question="Is it bright?", answer="no")
    _write(b, rows)
    out = tmp_path / "out.jsonl"
    _run(a, out)
    assert read_results(out)["q0000"]["answer"] == "red"
    summary = _run(b, out, resume=True)
    assert read_results(out)["q0000"]["answer"] == "no"
    assert summary.redone == 1


def test_records_without_an_input_hash_are_redone(dataset, tmp_path):
    out = tmp_path / "out.jsonl"
    _run(dataset, out)
    legacy = [{k: v for k, v in r.items() if k != "input_hash"} for r in read_lines(out)]
    out.write_text("".join(json.dumps(r) + "\n" for r in legacy))  # written by an older version
    with pytest.raises(InputError, match="--strict"):
        _run(dataset, out, resume=True, strict=True)
    assert _run(dataset, out, resume=True).redone == 20
    assert all(r["input_hash"] for r in read_lines(out))


def test_what_counts_as_a_changed_input(dataset, tmp_path):
    kb = tmp_path / "kb"
    (kb / "v000001").mkdir(parents=True)
    (kb / "CURRENT").write_text("v000001")
    (kb / "v000001" / "manifest.json").write_text(json.dumps({"format": "visreason-kb", "updated": 1.0}))
    out = tmp_path / "out.jsonl"
    base = Config()
    _run(dataset, out, kb=kb, config=base)
    # Speed-only settings and a secret do not change answers: nothing is redone.
    fast = base.replace(**{"llm.n_threads": 8, "llm.api_key": "sk-other", "llm.timeout_s": 5.0})
    assert _run(dataset, out, resume=True, kb=kb, config=fast).ran == 0
    # The same image bytes under another path are the same input.
    shutil.copytree(dataset.parent, tmp_path / "moved")
    assert _run(tmp_path / "moved" / "in.jsonl", out, resume=True, kb=kb, config=base).ran == 0
    # A new KB version, another model, or another KB are new inputs.
    (kb / "v000001" / "manifest.json").write_text(json.dumps({"format": "visreason-kb", "updated": 2.0}))
    assert _run(dataset, out, resume=True, kb=kb, config=base).redone == 20
    other_model = base.replace(**{"llm.model": "qwen2.5-coder-0.5b"})
    assert _run(dataset, out, resume=True, kb=kb, config=other_model).redone == 20
    assert _run(dataset, out, resume=True, kb=None, config=other_model).redone == 20
    assert "sk-other" not in out.read_text()


def test_a_fixed_bad_line_is_run_again(tmp_path):
    data = write_dataset(tmp_path / "d", n=2)
    rows = [json.loads(line) for line in data.read_text().splitlines()]
    broken = dict(rows[1])
    del broken["image"]
    _write(data, [rows[0], broken])
    out = tmp_path / "out.jsonl"
    _run(data, out)
    assert read_results(out)["q0001"]["error"]["type"] == "InputError"
    _write(data, rows)
    summary = _run(data, out, resume=True)
    assert summary.redone == 1 and read_results(out)["q0001"]["answer"] == "no"


def test_a_crash_while_moving_old_records_loses_nothing(dataset, tmp_path, monkeypatch):
    out = tmp_path / "out.jsonl"
    _run(dataset, out)
    before = out.read_bytes()
    rows = [json.loads(line) for line in dataset.read_text().splitlines()]
    rows[2]["question"] = "Is it bright?"
    _write(dataset, rows)

    def power_cut(*a, **k):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr("agent.batch.io.os.replace", power_cut)
    with pytest.raises(OSError):
        _run(dataset, out, resume=True)
    monkeypatch.undo()
    assert out.read_bytes() == before  # the results are untouched...
    assert [r["id"] for r in read_lines(tmp_path / "out.superseded.jsonl")] == ["q0002"]  # ...and copied
    assert not list(tmp_path.glob(".out.jsonl.*.tmp"))
    assert _run(dataset, out, resume=True).redone == 1
    assert len(read_lines(out)) == 20


# -- bounded reading ------------------------------------------------------------------------------

def test_dev_zero_is_a_typed_error(tmp_path):
    out = tmp_path / "out.jsonl"
    with pytest.raises(InputError, match="larger than"):
        _run("/dev/zero", out)
    assert not out.exists()


def test_cli_dev_zero(tmp_path, capsys):
    argv = ["batch", "/dev/zero", "--out", str(tmp_path / "o.jsonl"), "--reasoner-factory", STANDIN, "--no-progress"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "InputError" in err and "MemoryError" not in err


def test_an_oversized_line_becomes_an_error_record(dataset, tmp_path):
    rows = [json.loads(line) for line in dataset.read_text().splitlines()][:3]
    huge = {"id": "huge", "image": "red.png", "question": "What colour is it? " + "x" * (2 << 20)}
    _write(dataset, rows[:1] + [huge] + rows[1:])
    out = tmp_path / "out.jsonl"
    summary = _run(dataset, out)
    records = {r["id"]: r for r in read_lines(out)}
    assert records["line-2"]["error"]["type"] == "InputError" and records["line-2"]["error"]["line"] == 2
    assert "longer than" in records["line-2"]["error"]["message"]
    assert [records[r["id"]]["answer"] for r in rows] == ["red", "no", "blue"]
    assert summary.total == 4 and summary.failed == 1


def test_caps_are_parameters(tmp_path):
    path = _write(tmp_path / "in.jsonl", [{"id": i, "image": "a.png", "question": "q" * 50} for i in range(40)])
    items, problems = read_items(path, max_line_bytes=64)
    assert not items and [p.line for p in problems] == list(range(1, 41))
    with pytest.raises(InputError, match="larger than 1000 bytes") as info:
        read_items(path, max_total_bytes=1000)
    assert info.value.line is not None


def test_results_and_gold_that_are_not_files_are_typed_errors(tmp_path, capsys):
    assert main(["score", "/dev/zero", "--gold", "/dev/null"]) == 2
    assert "not a regular file" in capsys.readouterr().err
    real = _write(tmp_path / "r.jsonl", [{"id": "a", "answer": "x", "error": None}])
    assert main(["score", str(real), "--gold", "/dev/zero"]) == 2
    assert "larger than" in capsys.readouterr().err


# -- image paths ----------------------------------------------------------------------------------

def _confined_dataset(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "root"
    data = write_dataset(root / "data", n=2)
    Image.new("RGB", (8, 8), COLOURS["blue"]).save(tmp_path / "outside.png")
    (root / "data" / "link.png").symlink_to(tmp_path / "outside.png")
    rows = [json.loads(line) for line in data.read_text().splitlines()]
    rows += [{"id": "dotdot", "image": "../../outside.png", "question": "What colour is it?"},
             {"id": "absolute", "image": str(tmp_path / "outside.png"), "question": "What colour is it?"},
             {"id": "passwd", "images": ["red.png", "../../../../../../etc/passwd"], "question": "What colour?"},
             {"id": "symlink", "image": "link.png", "question": "What colour is it?"},
             {"id": "inside_abs", "image": str(root / "data" / "blue.png"), "question": "What colour is it?"}]
    return _write(data, rows), root


def test_image_root_confines_image_paths(tmp_path):
    data, root = _confined_dataset(tmp_path)
    out = tmp_path / "out.jsonl"
    _run(data, out, image_root=root)
    records = {r["id"]: r for r in read_lines(out)}
    for line, rid in [(3, "dotdot"), (4, "absolute"), (5, "passwd"), (6, "symlink")]:
        error = records[rid]["error"]
        assert error["type"] == "InputError" and "outside --image-root" in error["message"], rid
        assert error["line"] == line and f"in.jsonl:{line}" in error["message"]
        assert records[rid]["input_line"] == line
    assert records["q0000"]["answer"] == "red" and records["inside_abs"]["answer"] == "blue"


def test_without_image_root_any_readable_path_is_allowed_as_documented(tmp_path):
    data, _ = _confined_dataset(tmp_path)
    out = tmp_path / "out.jsonl"
    _run(data, out)
    records = {r["id"]: r for r in read_lines(out)}
    assert records["dotdot"]["answer"] == "blue" and records["absolute"]["answer"] == "blue"
    assert records["passwd"]["error"]["type"] == "ImageError"  # read, and refused as not an image


def test_cli_image_root(tmp_path, capsys):
    data, root = _confined_dataset(tmp_path)
    out = tmp_path / "out.jsonl"
    base = ["batch", str(data), "--out", str(out), "--reasoner-factory", STANDIN, "--no-progress", "--json"]
    assert main(base + ["--image-root", str(tmp_path / "nope")]) == 2
    assert "--image-root must be an existing folder" in capsys.readouterr().out
    assert main(base + ["--image-root", str(root)]) == 0
    assert json.loads(capsys.readouterr().out)["failed"] == 4
    with pytest.raises(SystemExit):
        main(["batch", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "relative to the input file's folder" in help_text and "--image-root" in help_text


def test_image_error_records_carry_their_input_line(tmp_path):
    data = write_dataset(tmp_path / "d", n=20, bad_every=5)
    out = tmp_path / "out.jsonl"
    _run(data, out)
    lines = {json.loads(text)["id"]: number for number, text in enumerate(data.read_text().splitlines(), start=1)}
    bad = [r for r in read_lines(out) if r["error"]]
    assert len(bad) == 4 and {r["error"]["type"] for r in bad} == {"ImageError"}
    for record in bad:
        assert record["error"]["line"] == lines[record["id"]], record  # was "line": null
        assert record["input_line"] == lines[record["id"]]
    assert all(r["input_line"] == lines[r["id"]] for r in read_lines(out))
