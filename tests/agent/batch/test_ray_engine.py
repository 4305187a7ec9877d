"""The Ray engine against a local Ray instance: same records as the local engine, same resume semantics."""

import pytest
import ray  # a dev dependency; the engine itself imports Ray lazily

from agent.batch import run_batch
from agent.errors import ConfigError
from tests.agent.batch.conftest import STANDIN, read_lines, write_dataset


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def _comparable(path):
    return sorted(({k: v for k, v in r.items() if k != "latency_s"} for r in read_lines(path)),
                  key=lambda r: r["id"])


def test_ray_output_equals_local_output_and_resumes(local_ray, tmp_path):
    data = write_dataset(tmp_path / "data", n=30, bad_every=6)
    with open(data, "a") as fh:
        fh.write("{broken\n")
    local, remote = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    run_batch(data, local, reasoner_factory=STANDIN, workers=2, include_steps=True, progress=False)
    summary = run_batch(data, remote, reasoner_factory=STANDIN, engine="ray", workers=2, include_steps=True,
                        progress=False)
    assert summary.failed == 6 and summary.succeeded == 25
    assert _comparable(remote) == _comparable(local)
    lines = remote.read_text().splitlines(keepends=True)
    remote.write_text("".join(lines[:11]) + lines[11][:5])  # killed mid-write
    summary = run_batch(data, remote, reasoner_factory=STANDIN, engine="ray", workers=2, resume=True,
                        include_steps=True, progress=False)
    assert summary.skipped == 11 and summary.ran == 20
    assert _comparable(remote) == _comparable(local)


def test_ray_actor_that_cannot_build_the_reasoner(local_ray, tmp_path):
    data = write_dataset(tmp_path / "data", n=2)
    with pytest.raises(ConfigError, match="stand-in model is not installed"):
        run_batch(data, tmp_path / "out.jsonl", reasoner_factory="tests.agent.batch.standin:FailingReasoner",
                  engine="ray", progress=False)
