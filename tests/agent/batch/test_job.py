import json

import pytest

from agent.batch import read_results, run_batch
from agent.cli import main
from agent.errors import ConfigError, ModelUnavailableError
from tests.agent.batch.conftest import STANDIN, read_lines, write_dataset
from tests.agent.batch.standin import StandInReasoner

FIELDS = {"id", "answer", "explanation", "program", "plan_kind", "planned_by", "error", "latency_s", "input_line",
          "input_hash"}


def test_batch_answers_every_item_and_scores(dataset, tmp_path):
    out = tmp_path / "out.jsonl"
    summary = run_batch(dataset, out, reasoner_factory=STANDIN, workers=2, progress=False)
    lines = read_lines(out)
    assert sorted(r["id"] for r in lines) == [f"q{i:04d}" for i in range(20)]
    assert all(set(r) == FIELDS and r["error"] is None for r in lines)
    assert summary.succeeded == 20 and summary.failed == 0 and summary.ran == 20 and summary.skipped == 0
    assert summary.score.accuracy == 1.0
    assert {"colour", "yes/no"} <= set(summary.score.by_type)


def test_two_hundred_items_with_ten_percent_bad_images(tmp_path):
    path = write_dataset(tmp_path / "data", n=200, bad_every=10)
    out = tmp_path / "out.jsonl"
    summary = run_batch(path, out, reasoner_factory=STANDIN, workers=2, progress=False)
    records = {r["id"]: r for r in read_lines(out)}
    gold = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(records) == 200 == len(read_lines(out))
    for item in gold:
        record = records[item["id"]]
        if item.get("bad"):
            assert record["answer"] is None and record["error"]["type"] == "ImageError", record
            assert item["image"] in record["error"]["message"]
        else:
            assert record["error"] is None and record["answer"] == item["answer"]
    assert (summary.failed, summary.succeeded) == (20, 180)
    assert summary.score.correct == 180 and summary.score.total == 200


def test_steps_are_included_only_on_request(dataset, tmp_path):
    out = tmp_path / "out.jsonl"
    run_batch(dataset, out, reasoner_factory=STANDIN, include_steps=True, progress=False)
    assert all(r["steps"] and r["steps"][0]["tool"] == "MEAN" for r in read_lines(out))


def test_questions_on_one_image_reuse_the_shared_cache(dataset, tmp_path):
    reasoner = StandInReasoner()
    run_batch(dataset, tmp_path / "out.jsonl", reasoner=reasoner, workers=2, progress=False)
    # 20 questions over 5 images: one computation per image, the rest are cache hits.
    assert reasoner.cache.misses == 5 and reasoner.cache.hits == 15


def test_resume_runs_only_missing_ids(dataset, tmp_path):
    out = tmp_path / "out.jsonl"
    run_batch(dataset, out, reasoner_factory=STANDIN, progress=False)
    lines = out.read_text().splitlines(keepends=True)
    out.write_text("".join(lines[:7]) + lines[7][:10])  # as if killed while writing the 8th line
    summary = run_batch(dataset, out, reasoner_factory=STANDIN, resume=True, progress=False)
    assert summary.skipped == 7 and summary.ran == 13
    ids = [r["id"] for r in read_lines(out)]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 20


def test_unbuildable_reasoner_is_a_typed_error_after_input_problems_are_recorded(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "a", "image": "x.png", "question": "q"}\n{oops\n')
    out = tmp_path / "out.jsonl"
    with pytest.raises(ModelUnavailableError):
        run_batch(path, out, reasoner_factory="tests.agent.batch.standin:FailingReasoner", progress=False)
    assert [r["id"] for r in read_lines(out)] == ["line-2"]
    with pytest.raises(ConfigError, match="no attribute"):
        run_batch(path, out, reasoner_factory="tests.agent.batch.standin:Nope", resume=True, progress=False)
    with pytest.raises(ConfigError, match="engine"):
        run_batch(path, out, engine="spark", progress=False)


def test_a_failing_writer_stops_the_batch(dataset, tmp_path, monkeypatch):
    from agent.batch import io

    calls = []

    def broken_write(self, record):
        calls.append(record["id"])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(io.ResultWriter, "write", broken_write)
    with pytest.raises(OSError, match="No space"):
        run_batch(dataset, tmp_path / "out.jsonl", reasoner_factory=STANDIN, workers=2, progress=False)
    assert 1 <= len(calls) <= 2  # each worker stops after its first failed write


def test_cli_batch_and_score(dataset, tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    argv = ["batch", str(dataset), "--out", str(out), "--reasoner-factory", STANDIN, "--no-progress", "--json"]
    assert main(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["done"] == 20 and summary["score"]["accuracy"] == 1.0
    assert main(argv) == 2  # exists, no --resume
    assert "already exists" in capsys.readouterr().out
    assert main(argv + ["--resume"]) == 0
    assert json.loads(capsys.readouterr().out)["skipped"] == 20
    assert len(read_results(out)) == 20
    assert main(["score", str(out), "--gold", str(dataset), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["correct"] == 20
    assert main(["batch", str(dataset), "--out", str(out), "--workers", "0"]) == 2
