"""End to end on the demo KB with the real offline models: MiniLM, EfficientNet-Lite0, YOLOX,
rapidocr and the embedded GGUF controller (the 0.5B in the suite)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import load_config
from agent.reasoner import Reasoner
from retrieval.kb import KnowledgeBase

SOURCES = Path(__file__).resolve().parents[2] / "benchmarks" / "kb" / "sources"


@pytest.fixture(scope="module")
def demo_kb(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "kb"
    KnowledgeBase.build(SOURCES, path, load_config(), progress=False)
    return path


@pytest.mark.slow
def test_real_embedders_find_the_linking_documents(demo_kb):
    from PIL import Image

    kb = KnowledgeBase.open(demo_kb, load_config())
    assert Path(kb.search_image(Image.open(SOURCES / "images" / "bus.jpg"), 1)[0].source).name == "bus.jpg"
    # text search covers image descriptions too (bus.jpg's says "blue ... bus"); the first document must name the right company
    texts = [h for h in kb.search_text("company that runs the blue buses", 4) if h.modality == "text"]
    assert "Azul Lines" in texts[0].text and "Verde" not in texts[0].text
    assert Path(kb.search_text("FC Norte home stadium spectators", 2)[0].source).name in {"estadio_viento.md",
                                                                                            "fc_norte.md"}
    described = kb.search_images_by_text("a tall white rocket on a launch pad", 1)[0]
    assert Path(described.source).name == "rocket.jpg" and "bus (blue)" not in described.text


@pytest.mark.slow
def test_reasoner_answers_through_the_kb_with_citations(demo_kb):
    reasoner = Reasoner(load_config())
    events = list(reasoner.stream("Which company operates the vehicle in this picture?",
                                  [SOURCES / "images" / "bus.jpg"], kb=demo_kb))
    answer = events[-1]["answer"]
    turns = [e for e in events if e.get("type") == "retrieval"]
    retrieval = [e for e in answer.evidence if e.get("kind") == "retrieval"]
    assert turns and retrieval and retrieval[0]["retrieval_calls"] >= 1
    shown = {i["id"] for t in turns for i in t["items"]}
    assert shown, "the loop retrieved nothing"
    assert {c["id"] for c in retrieval[0]["citations"]} <= shown  # only retrieved items are cited
    assert all(Path(c["source"]).is_relative_to(SOURCES) for c in retrieval[0]["citations"])
    assert answer.answer.strip() and answer.program  # the vision program ran before the KB was consulted
