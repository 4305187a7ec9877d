import importlib.util
import json
from pathlib import Path

from tests.agent.batch.conftest import STANDIN, write_dataset

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_batch.py"


def _load():
    spec = importlib.util.spec_from_file_location("bench_batch", _PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_measure_runs_both_ways_with_the_same_answers(tmp_path, capsys):
    bench = _load()
    data = write_dataset(tmp_path / "data", n=12, bad_every=4)
    result = bench.measure(data, reasoner_factory=STANDIN, workers=2, limit=10)
    assert result["items"] == 10 and result["cache_reset"] == "cleared"
    assert result["naive_accuracy"] == result["batch_accuracy"] == 0.8  # 2 of 10 have bad images
    assert result["speedup"] > 0
    assert bench.main([str(data), "--reasoner-factory", STANDIN, "--json", "--limit", "4"]) == 0
    assert json.loads(capsys.readouterr().out)["items"] == 4
