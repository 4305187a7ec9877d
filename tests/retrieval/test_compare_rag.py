"""The demo KB, its questions and the comparison harness (benchmarks/compare_rag.py)."""

import importlib.util
import json
from pathlib import Path

from agent.llm.scripted import ScriptedLLM
from retrieval.identify import percept_from_facts
from retrieval.kb import KnowledgeBase
from retrieval.sources import discover

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def _compare_module():
    spec = importlib.util.spec_from_file_location("compare_rag", BENCH / "compare_rag.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_demo_questions_are_answerable_from_the_kb():
    cr = _compare_module()
    questions = cr.load_questions()
    assert len(questions) >= 12
    corpus = " ".join(s.path.read_text() for s in discover([BENCH / "kb" / "sources"]) if s.kind != "image")
    for q in questions:
        assert Path(q["image"]).exists(), q
        assert any(cr._norm(a) in cr._norm(corpus) for a in q["answers"]), q["id"]


def test_is_correct():
    cr = _compare_module()
    assert cr.is_correct("It was founded in 1931.", ["1931"])
    assert cr.is_correct("Azul Lines", ["azul lines"])
    assert not cr.is_correct("19310", ["1931"])


def test_compare_counts_modes(tmp_path, bow_config, kb_kwargs):
    cr = _compare_module()
    kb = KnowledgeBase.build(BENCH / "kb" / "sources", tmp_path / "kb", bow_config, progress=False, **kb_kwargs)
    assert kb.info()["counts"]["image_items"] == 6
    question = {"id": "q", "question": "Who runs blue buses?", "answers": ["Azul Lines"], "image": None}
    refine = json.dumps({"answer": "Azul Lines", "explanation": "", "citations": []})
    wrong = json.dumps({"answer": "no idea", "explanation": "", "citations": []})
    def read(messages):  # the loop's one READ call: the operator, from the document that names it
        block = next(b for b in messages[-1]["content"].split("<<<DOC id=")[1:] if "Azul Lines" in b)
        return json.dumps({"answer": "Azul Lines", "doc": block.split(" ", 1)[0]})

    llm = ScriptedLLM([wrong, refine, read])  # no retrieval, fixed retrieval, the adaptive loop's read
    report = cr.compare([question], kb, llm, lambda image: "Objects: 1 bus (blue).")
    none = report["modes"]["no_retrieval"]
    assert (none["accuracy"], none["mean_retrieval_calls"], none["mean_llm_calls"]) == (0.0, 0.0, 1.0)
    assert report["modes"]["fixed_retrieval"]["accuracy"] == 1.0
    adaptive = report["modes"]["adaptive"]
    assert adaptive["accuracy"] == 1.0 and adaptive["mean_llm_calls"] == 1.0 and adaptive["mean_retrieval_calls"] >= 1
    assert all(m["injected_answers"] == 0 for m in report["modes"].values())
    assert not llm._replies


def test_the_no_image_search_ablation_hides_only_photo_search(src_dir, tmp_path, bow_config, kb_kwargs, monkeypatch):
    cr = _compare_module()
    kb = KnowledgeBase.build(src_dir, tmp_path / "kb", bow_config, progress=False, **kb_kwargs)
    loop = cr.adaptive_search  # the real loop, with the facts as its perceiver instead of the vision models
    monkeypatch.setattr(cr, "adaptive_search", lambda *a, **kw: loop(
        *a, perceiver=lambda img: percept_from_facts("Objects: 1 bus (blue)."), locate=lambda img, label: None, **kw))
    question = {"id": "q", "question": "Which company runs this bus?", "answers": ["Azul Lines"],
                "image": str(src_dir / "bluebus.png")}
    unknown = json.dumps({"answer": "unknown", "doc": ""})
    stop = json.dumps({"action": "answer", "query": "", "focus": ""})
    facts = lambda image: "Objects: 1 bus (blue)."  # noqa: E731
    with_photos = cr.compare([question], kb, ScriptedLLM([unknown] * 3 + [stop] * 3), facts, modes=("adaptive",))
    blind = cr.compare([question], kb, ScriptedLLM([unknown] * 3 + [stop] * 3), facts,
                       modes=("adaptive_no_image_search",))
    seen = with_photos["per_question"][0]["adaptive"]["photo_match"]
    assert seen is not None and seen["source"].endswith("bluebus.png") and seen["confident"]
    row = blind["per_question"][0]["adaptive_no_image_search"]
    assert row["photo_match"] is None and "image_search" not in [t["action"] for t in row["turns"]]
    assert list(blind["modes"]) == ["adaptive_no_image_search"]
    view = cr.NoImageSearch(kb)
    assert view.search_image(None) == [] and view.search_text("blue bus") == kb.search_text("blue bus")
    assert view.config is kb.config


def test_an_unknown_mode_is_refused(tmp_path):
    cr = _compare_module()
    try:
        cr.compare([], None, None, lambda image: "", modes=("adaptive", "adaptve"))
    except ValueError as err:
        assert "adaptve" in str(err)
    else:
        raise AssertionError("an unknown mode was accepted")
