"""The wheel is a real package: built, installed (not editable) into a fresh venv, run outside the checkout.

Run by ``make test-wheel`` (CI calls it after ``make test``); the file name keeps it out of the
normal suite, which runs against the editable install. Dependencies are not reinstalled (that
would take most of an hour): the fresh venv sees the project venv's site-packages through a
``.pth`` line, which adds that folder to ``sys.path`` without running its ``.pth`` files, so the
editable install's import hook stays out. Everything visreason itself needs (code, prompts,
few-shot programs, tool data) must therefore come from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("agent", "tools", "retrieval", "prompts")
PROGRAM = "BOX0=LOC(image=IMAGE,object='bus')\nANSWER0=COUNT(box=BOX0)\nFINAL_RESULT=RESULT(var=ANSWER0)\n"


def _source_files(src: Path) -> list[str]:
    return sorted(str(p.relative_to(src)) for pkg in PACKAGES for p in (src / pkg).rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")


def _run(cmd: list[str], cwd: Path, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """Build the wheel from a copy of the sources, install it into a fresh venv; its paths."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"  # a copy, so the build leaves nothing in the checkout and sees only package files
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for pkg in PACKAGES:
        shutil.copytree(ROOT / pkg, src / pkg, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp / "dist"),
          str(src)], tmp, env)
    wheel = next((tmp / "dist").glob("visreason-*.whl"))
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], tmp, env)
    python = venv / "bin" / "python"
    # Installed before the venv can see anything else, so pip finds no visreason to replace.
    _run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)], tmp, env)
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp, env)
                .stdout.strip())
    (site / "_project_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return {"tmp": tmp, "src": src, "wheel": wheel, "venv": venv, "python": python, "site": site, "env": env}


def test_the_wheel_carries_every_package_file(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    missing = [f for f in _source_files(installed["src"]) if f not in names]
    assert not missing, f"files under {PACKAGES} that the wheel lacks: {missing}"
    assert {"prompts/plan_system.txt", "prompts/program_examples.jsonl", "tools/data/hypernyms.json"} <= names


def test_the_installed_package_runs_from_the_venv_not_the_checkout(installed):
    code = ("import agent, tools, retrieval, prompts, json\n"
            "from agent.examples import EXAMPLES_FILE, load_examples\n"
            "from agent.prompting import prompt_text\n"
            "from tools.categories import DATA\n"
            "print(json.dumps({'files': [agent.__file__, tools.__file__, retrieval.__file__, prompts.__file__,\n"
            "                            str(EXAMPLES_FILE), str(DATA)],\n"
            "                  'examples': len(load_examples()), 'plan': len(prompt_text('plan_system.txt'))}))\n")
    out = json.loads(_run([str(installed["python"]), "-c", code], installed["tmp"], installed["env"]).stdout)
    site = installed["site"].resolve()
    assert all(Path(f).resolve().is_relative_to(site) for f in out["files"]), out["files"]
    assert out["examples"] > 10 and out["plan"] > 100


def test_visreason_run_answers_from_the_installed_wheel(installed):
    from ultralytics.utils import ASSETS

    program = installed["tmp"] / "count_buses.txt"
    program.write_text(PROGRAM)
    cli = installed["venv"] / "bin" / "visreason"
    assert cli.is_file(), "the wheel's console script was not installed"
    done = _run([str(cli), "run", "--image", str(ASSETS / "bus.jpg"), "--program-file", str(program), "--json"],
                installed["tmp"], installed["env"])
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["result"] == 1, result
    assert [s["module"] for s in result["steps"]] == ["LOC", "COUNT", "RESULT"]


def test_visreason_ask_plans_from_the_wheels_seed_programs(installed):
    """A question the shipped seed programs answer (prompts/program_examples.jsonl, MiniLM match): no LLM call."""
    from ultralytics.utils import ASSETS

    env = dict(installed["env"], VISREASON_MEMORY_PATH=str(installed["tmp"] / "memory"))
    done = _run([str(installed["venv"] / "bin" / "visreason"), "ask", "--image", str(ASSETS / "bus.jpg"), "--json",
                 "How many buses can be seen in this picture?"], installed["tmp"], env)
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["answer"] == "1", answer
    assert answer["planned_by"]["source"] == "memory", answer["planned_by"]
