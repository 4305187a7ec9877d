from PIL import Image

from agent.answer import Answer
from agent.ui.render import (
    TurnView,
    code_block,
    decode_data_url,
    esc,
    render_answer,
    render_retrieval,
    render_step,
    thumbnail_data_url,
)
from tests.agent.ui.fake_reasoner import data_url


def test_esc_neutralises_markdown_and_html():
    out = esc('<script>alert(1)</script> ![x](http://evil) [link](javascript:x)')
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "![x](" not in out and "[link](" not in out


def test_code_block_cannot_be_escaped():
    text = "A=1\n```\ninjected"
    block = code_block(text)
    fence = block.split("text", 1)[0]
    assert len(fence) == 4 and block.endswith("\n" + fence)


def test_decode_data_url_roundtrip_and_garbage():
    img = Image.new("RGB", (30, 20), (10, 200, 30))
    back = decode_data_url(data_url(img))
    assert back is not None and back.size == (30, 20)
    assert decode_data_url("data:image/png;base64,@@@not-base64") is None
    assert decode_data_url("http://example.com/x.png") is None
    assert decode_data_url(None) is None


def test_thumbnail_is_small_jpeg():
    url = thumbnail_data_url(Image.new("RGB", (2000, 1000)), side=100)
    assert url.startswith("data:image/jpeg;base64,")
    assert decode_data_url(url).size == (100, 50)


def test_render_step_with_error_and_thumbnail():
    step = {"line": 2, "module": "LOC", "target": "BOX0", "args": {"object": "bus"}, "output": None,
            "summary": "", "ms": 12.5, "error": "no such object"}
    msg = render_step(step, thumb_url="data:image/jpeg;base64,AAAA")
    assert msg["metadata"]["title"].startswith("Step 2 failed: BOX0=LOC")
    assert msg["metadata"]["duration"] == 0.013
    assert "no such object" in msg["content"] and '<img src="data:image/jpeg;base64,AAAA"' in msg["content"]


def test_step_args_are_shown_like_the_program():
    msg = render_step({"line": 1, "module": "LOC", "target": "BOX0", "summary": "BOX0 = 3 boxes",
                       "args": {"image": {"var": "IMAGE", "value": "image 8x8"}, "object": "person"},
                       "output": {"boxes": [[1, 2, 3, 4]]}})
    assert "image=IMAGE, object='person'" in msg["content"].replace("\\", "")
    assert "[[1, 2, 3, 4]]" not in msg["content"].replace("\\", "")  # the summary stands for the raw value


def test_render_retrieval_lists_citations():
    msg = render_retrieval({"turn": 1, "action": "retrieve", "query": "bus colour",
                            "items": [{"id": "a", "source": "wiki/bus.md", "snippet": "buses are *red*", "score": 0.5}],
                            "sub_answer": "red"})
    assert msg["metadata"]["title"] == "Search turn 1: retrieve"
    assert "[1]" in msg["content"] and "wiki/bus.md" in msg["content"] and "0.50" in msg["content"]


def test_render_answer_shows_sources_and_warnings():
    ans = Answer(question="q", answer="3", explanation="Three people.", evidence=[{"source": "s.md"}],
                 warnings=["low confidence"])
    msg = render_answer(ans)
    assert "**Answer: 3**" in msg["content"] and "s.md" in msg["content"] and "low confidence" in msg["content"]
    assert "metadata" not in msg  # the answer itself is never collapsed


def test_turn_view_accumulates_a_full_stream():
    saved = []
    view = TurnView(sink=lambda img, caption: saved.append(caption) or f"/tmp/{len(saved)}.png")
    img = Image.new("RGB", (40, 40), (255, 0, 0))
    events = [
        {"type": "status", "text": "planning"},
        {"type": "program", "program": "X=1", "attempt": 2},
        {"type": "step", "step": {"line": 1, "module": "COLOR", "target": "C0", "summary": "red"},
         "image": data_url(img)},
        {"type": "warning", "text": "slow"},
        {"type": "answer", "answer": Answer(question="q", answer="red")},
    ]
    for ev in events:
        view.feed(ev)
    titles = [m.get("metadata", {}).get("title") for m in view.messages]
    assert titles[0] == "Done" and "slow" in view.messages[0]["content"]
    assert titles[1] == "Program (attempt 2)"
    assert titles[2].startswith("Step 1: C0=COLOR")
    assert view.messages[-1]["content"].startswith("**Answer: red**")
    assert view.gallery == [("/tmp/1.png", "Step 1: C0=COLOR")]
    assert view.messages[0]["metadata"]["status"] == "done"


def test_turn_view_error_event_and_inline_thumbnail_without_sink():
    view = TurnView()
    view.feed({"type": "step", "step": {"line": 1, "module": "CROP"},
               "image": data_url(Image.new("RGB", (8, 8)))})
    view.feed({"type": "error", "error": {"type": "ArgumentError", "message": "bad <arg>", "line": 3}})
    assert '<img src="data:image/jpeg;base64,' in view.messages[0]["content"]
    assert view.messages[-1]["content"].startswith("Error: ArgumentError (line 3): bad &lt;arg&gt;")


def test_progress_shows_elapsed_time_and_text_so_far_then_the_final_state():
    view = TurnView()
    view.feed({"type": "status", "text": "writing a program"})
    view.feed({"type": "progress", "phase": "writing a program", "elapsed_s": 12.4, "partial": "BOX0=LOC("})
    panel = view.messages[0]
    assert panel["metadata"]["title"] == "Working · writing a program · 12 s"
    assert "BOX0=LOC(" in panel["content"] and panel["metadata"]["status"] == "pending"
    view.feed({"type": "status", "text": "writing a program"})  # the same line again is not listed twice
    view.feed({"type": "program", "program": "BOX0=LOC(image=IMAGE,object='cat')", "attempt": 1})
    view.feed({"type": "answer", "answer": Answer(question="q", answer="2")})
    assert panel["metadata"]["title"] == "Done" and panel["metadata"]["status"] == "done"
    assert panel["metadata"]["log"] == "done", "the finished panel must not still say 'writing a program'"
    assert panel["content"].count("writing a program") == 1 and "BOX0=LOC(" not in panel["content"]


def test_kb_photos_found_by_the_retrieval_loop_reach_the_gallery(tmp_path):
    """The loop sends a photo's stored thumbnail as ``thumbnail_path``; the view used to read ``thumbnail``."""
    from agent.events import Retrieval, RetrievedItem

    thumb = tmp_path / "thumbs" / "abc.jpg"
    thumb.parent.mkdir()
    Image.new("RGB", (60, 40), (0, 0, 255)).save(thumb)
    view = TurnView()
    event = Retrieval(1, "image_search", "whole image", (
        RetrievedItem("K2", "kb/bluebus.png", "image", "a blue bus", 0.97, str(thumb)),
        RetrievedItem("K3", "kb/transit.md", "text", "Azul Lines runs the blue buses.", 0.5)))
    view.feed(event.to_dict())  # what Reasoner.stream() yields
    assert [caption for _, caption in view.gallery] == ["retrieved: kb/bluebus.png"]
    assert view.gallery[0][0].size == (60, 40)


def test_every_event_kind_round_trips_through_its_dict():
    from agent import events

    samples = [events.Status("planning"), events.Progress("writing a program", 3.0, "BOX0="),
               events.Program("X=1", 2, memory="t1"), events.Step({"line": 1}, None, 0),
               events.Retrieval(1, "text_search", "q", (events.RetrievedItem("K1", "a.md"),), "x", "llm"),
               events.WarningEvent("slow"), events.ErrorEvent({"type": "E", "message": "m"}),
               events.AnswerEvent("42")]
    assert {type(e).kind for e in samples} == set(events.KINDS)
    for event in samples:
        assert events.parse(event.to_dict()) == event
    assert events.parse({"type": "from-the-future"}) is None and events.parse({"type": "status"}) is None
