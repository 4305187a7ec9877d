"""`visreason memory ...` and `batch --learn`'s engine: only right answers' programs are learned."""

from __future__ import annotations

import json

import pytest

from agent.cli import main
from agent.cli_memory import learn_from_results
from agent.memory import MemoryStore, ProgramMemory, program_checker
from tools.catalog import default_registry

OCR_BUS = ("BOX0=LOC(image=IMAGE,object='bus')\nIMAGE0=CROP(image=IMAGE,box=BOX0)\nANSWER0=OCR(image=IMAGE0)\n"
           "FINAL_RESULT=RESULT(var=ANSWER0)")


@pytest.fixture
def memory_dir(tmp_path, monkeypatch):
    path = tmp_path / "memory"
    monkeypatch.setenv("VISREASON_MEMORY_PATH", str(path))
    return path


def _record(answer, **kw):
    return {"answer": answer, "program": OCR_BUS, "plan_kind": "program", "planned_by": {"source": "llm"},
            "error": None} | kw


def test_learn_adds_only_programs_whose_answers_scored_right(tmp_path):
    memory = ProgramMemory(MemoryStore(tmp_path / "m"), (), None, check=program_checker(default_registry()))
    gold = [{"id": "a", "image": "bus.jpg", "question": "Which city is named on the bus?", "answer": ["madrid"]},
            {"id": "b", "image": "bus.jpg", "question": "Which company is named on the bus?", "answer": ["emt"]},
            {"id": "c", "image": "bus.jpg", "question": "Which slogan is on the bus?", "answer": ["cero"]},
            {"id": "d", "image": "bus.jpg", "question": "Which number is on the bus?", "answer": ["3"]}]
    results = {"a": _record("madrid"), "b": _record("iberia"),  # b is wrong
               "c": _record("cero", plan_kind="fallback"), "d": _record("3", planned_by={"source": "memory"})}
    counts = learn_from_results(memory, results, gold)
    assert counts == {"learned": 1, "wrong": 1, "not_a_program": 1, "from_memory": 1, "refused": 0}
    assert [e.question for e in memory.store.load().entries] == ["Which city is named on the bus?"]


def test_learn_refuses_a_poisoned_program(tmp_path):
    memory = ProgramMemory(MemoryStore(tmp_path / "m"), (), None, check=program_checker(default_registry()))
    gold = [{"id": "a", "image": "x.jpg", "question": "How many dogs?", "answer": ["1"]}]
    results = {"a": _record("1", program="X=__import__('os')\nFINAL_RESULT=RESULT(var=X)")}
    assert learn_from_results(memory, results, gold)["refused"] == 1
    assert memory.store.load().entries == ()


def test_cli_add_list_show_forget_export_import(memory_dir, tmp_path, capsys):
    program = tmp_path / "prog.txt"
    program.write_text(OCR_BUS)
    assert main(["memory", "add", "Which city is named on the bus?", "--program-file", str(program)]) == 0
    entry_id = capsys.readouterr().out.split()[2]
    assert main(["memory", "list", "--source", "user"]) == 0
    assert entry_id in capsys.readouterr().out
    assert main(["memory", "show", entry_id]) == 0
    assert "«OBJ0»" in capsys.readouterr().out
    export = tmp_path / "export.jsonl"
    assert main(["memory", "export", "--out", str(export)]) == 0
    assert main(["memory", "forget", entry_id]) == 0
    assert main(["memory", "show", entry_id]) == 2  # typed error, no traceback
    capsys.readouterr()
    assert main(["memory", "import", str(export)]) == 0
    assert "imported 1 new" in capsys.readouterr().out


def test_cli_import_names_the_bad_line(memory_dir, tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\nnot json\n')
    assert main(["memory", "import", str(bad)]) == 2
    assert "bad.jsonl:1" in capsys.readouterr().err


def test_cli_reports_a_corrupt_memory_clearly(memory_dir, tmp_path, capsys):
    program = tmp_path / "prog.txt"
    program.write_text(OCR_BUS)
    main(["memory", "add", "Which city is named on the bus?", "--program-file", str(program)])
    (memory_dir / "CURRENT").write_text("garbage")
    capsys.readouterr()
    assert main(["memory", "list"]) == 2
    err = capsys.readouterr().err
    assert "MemoryCorruptError" in err and "memory reset" in err
    assert main(["memory", "reset"]) == 0


def test_export_is_valid_jsonl(memory_dir, tmp_path, capsys):
    out = tmp_path / "all.jsonl"
    assert main(["memory", "export", "--all", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows and all(r["source"] == "seed" for r in rows)
