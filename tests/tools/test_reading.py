"""Reading layout: OCR lines keep boxes and sizes; titles, large words, first and last lines by rule."""

import json
import pickle

import pytest
from PIL import Image, ImageDraw, ImageFont

from tools.ocr_rapid import TextLine, reading_order
from tools.perception import ocr
from tools.reading import (
    ReadText,
    first_row,
    joined,
    large_rows,
    last_row,
    layout_facts,
    lines_from_facts,
    rows_of,
    title_rows,
)


def line(text, x, y, h, w=None):
    return TextLine(text, (float(x), float(y), float(x + (w or 12 * len(text))), float(y + h)), 0.9)


PAGE = [
    line("body text two", 20, 160, 18), line("Annual Garden", 20, 20, 50), line("Report", 20, 80, 50),
    line("body text one", 20, 130, 18), line("body text three", 20, 190, 18), line("p. 4", 300, 190, 18),
]


def test_title_is_the_first_run_of_large_rows_not_the_page():
    assert joined(title_rows(PAGE)) == "Annual Garden Report"


def test_large_rows_first_and_last_rows():
    assert joined(large_rows(PAGE)) == "Annual Garden Report"
    assert joined(first_row(PAGE)) == "Annual Garden"
    assert joined(last_row(PAGE)) == "body text three p. 4"  # one visual row, two OCR pieces


def test_without_size_contrast_the_title_is_the_first_row_and_large_words_are_all():
    even = [line("first", 0, 0, 20), line("second", 0, 40, 20), line("third", 0, 80, 21)]
    assert joined(title_rows(even)) == "first"
    assert joined(large_rows(even)) == "first second third"
    assert title_rows([]) == [] and first_row([]) == [] and joined(large_rows([])) == ""


def test_a_large_line_lower_down_is_still_the_heading():
    page = [line("small header note", 0, 0, 14), line("BIG NEWS", 0, 40, 60), line("small body", 0, 120, 14)]
    assert joined(title_rows(page)) == "BIG NEWS"


def test_rows_join_pieces_of_one_line():
    rows = rows_of([line("world", 200, 10, 30), line("hello", 10, 12, 30), line("next", 10, 60, 30)])
    assert [r.text for r in rows] == ["hello world", "next"]
    assert rows[0].height == pytest.approx(30)


def test_read_text_is_a_string_that_keeps_its_lines():
    text = ReadText.from_lines(PAGE)
    assert isinstance(text, str) and text.splitlines()[0] == "Annual Garden"
    assert text == "\n".join(t.text for t in reading_order(PAGE))
    assert [t.text for t in text.lines] == text.splitlines()
    assert "Report" in text and text.upper().startswith("ANNUAL")
    again = pickle.loads(pickle.dumps(text))
    assert again == text and again.lines == text.lines


def test_layout_facts_survive_json_and_read_back():
    facts = json.loads(json.dumps(ReadText.from_lines(PAGE).facts))
    assert facts[0].startswith("line 1/6: 50 px high, box (20, 20, ")
    back = lines_from_facts(facts + ["some other fact", 3])
    assert [t.text for t in back] == [t.text for t in reading_order(PAGE)]
    assert joined(title_rows(back)) == "Annual Garden Report"
    tricky = [TextLine("a: b), confidence 1: c\nnext", (-2.4, 0, 10, 9.6), 0.5)]
    assert lines_from_facts(layout_facts(tricky))[0].text == "a: b), confidence 1: c next"


def render_page(title: str, body: list[str], size=(900, 520)) -> Image.Image:
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    draw.text((30, 30), title, fill="black", font=ImageFont.load_default(size=64))
    small = ImageFont.load_default(size=24)
    for i, text in enumerate(body):
        draw.text((30, 150 + 42 * i), text, fill=(40, 40, 40), font=small)
    return img


BODY = ["Tomatoes grew well in the south beds this year.", "The north beds need more compost in spring.",
        "Volunteers meet on Saturday mornings at nine.", "Thanks to everyone who helped with watering."]


@pytest.mark.slow
def test_ocr_keeps_line_boxes_and_sizes_on_a_rendered_page(ctx):
    text = ocr(ctx, render_page("Garden Report", BODY))
    assert isinstance(text, ReadText) and len(text.lines) >= 5
    assert text.lines[0].text.replace(" ", "") == "GardenReport"
    assert text.lines[0].height > 1.8 * max(t.height for t in text.lines[1:])  # sizes kept
    assert joined(title_rows(text.lines)).replace(" ", "") == "GardenReport"  # the title line only
    assert joined(title_rows(lines_from_facts(text.facts))) == joined(title_rows(text.lines))
