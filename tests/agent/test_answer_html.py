"""The rationale page: input pictures first, then the program, then each step in plain words with its picture."""

from __future__ import annotations

from PIL import Image

from agent.answer import Answer
from agent.trace import format_args, jpeg_data_url, png_data_url


def _answer() -> Answer:
    img = Image.new("RGB", (1600, 900), (30, 90, 200))
    step = {"line": 1, "module": "LOC", "target": "BOX0", "summary": "BOX0 = 4 boxes: 4 person", "ms": 73.0,
            "args": {"image": {"var": "IMAGE", "value": "image 810x1080"}, "object": "person"}}
    return Answer(question="How many <people>?", answer="4", explanation="The detector found 4 people.",
                  program="BOX0=LOC(image=IMAGE,object='person')", steps=[step],
                  evidence=[{"kind": "program_result", "value": 4}], planned_by={"source": "memory", "template": "t1"},
                  step_images={0: png_data_url(b"png")}, input_images={"IMAGE": jpeg_data_url(img)},
                  timings={"total_s": 1.0})


def test_the_page_shows_inputs_then_program_then_steps_in_plain_words():
    page = _answer().to_html()
    order = [page.index(x) for x in ("<h2>Input images", "<h2>Program", "<h2>Steps", "<h2>Evidence")]
    assert order == sorted(order)
    assert "Program (program)" not in page and "from the program memory" in page
    assert "LOC(image=IMAGE, object=&#x27;person&#x27;)" in page  # the step's call as the program writes it
    assert '"var"' not in page and "{&quot;var&quot;" not in page  # no raw trace records
    assert "The program's result: <b>4</b>" in page and "How many &lt;people&gt;?" in page
    assert page.count('alt="input image IMAGE"') == 1 and 'alt="picture of step 1"' in page


def test_input_pictures_are_kept_at_a_readable_size_and_out_of_json():
    answer = _answer()
    url = answer.input_images["IMAGE"]
    import base64
    import io

    img = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert max(img.size) == 1024
    assert "input_images" not in answer.to_json() and "input_images" in answer.to_json(include_images=True)


def test_format_args_names_variables_and_quotes_text():
    assert format_args({"image": {"var": "IMAGE", "value": "x"}, "object": "bus", "k": 3}) == "image=IMAGE, object='bus', k=3"
