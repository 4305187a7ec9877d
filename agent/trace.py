"""Execution trace of a visual program: JSON for machines, one HTML page for people.

Every step records what it was given, what it produced and how long the tool took, plus an
optional picture (boxes drawn on the input, or the crop) as the visual rationale.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageDraw

from tools.types import Detections, Regions

THUMB_SIDE = 1024  # step pictures at a readable size (sample photos are <= 1280 px); batch runs draw none


@dataclass
class StepTrace:
    line: int
    module: str
    target: str
    args: dict[str, Any]  # JSON-able: variables as {"var": name, "value": short description}
    output: Any  # JSON-able
    summary: str
    ms: float  # tool time only
    image: bytes | None = None  # PNG; see picture()
    error: dict | None = None
    facts: list[str] | None = None
    text: str = ""  # program line
    # Rendering costs more than most tools, so pictures are drawn on first use, not during the run.
    render: Callable[[], bytes | None] | None = field(default=None, repr=False, compare=False)

    def picture(self) -> bytes | None:
        if self.image is None and self.render is not None:
            self.image, self.render = self.render(), None
        return self.image

    def to_dict(self, include_images: bool = False) -> dict:
        d = {"line": self.line, "module": self.module, "target": self.target, "args": self.args,
             "output": self.output, "summary": self.summary, "ms": round(self.ms, 2)}
        if self.error:
            d["error"] = self.error
        if self.facts:
            d["facts"] = self.facts
        if include_images and self.picture():
            d["image"] = png_data_url(self.picture())
        return d


@dataclass
class Trace:
    steps: list[StepTrace] = field(default_factory=list)
    program: str = ""
    result: Any = None

    def to_dict(self, include_images: bool = False) -> dict:
        return {"result": jsonable(self.result), "program": self.program,
                "steps": [s.to_dict(include_images) for s in self.steps]}

    def to_html(self, title: str = "visreason trace", question: str | None = None, answer: Any = None) -> str:
        e = html.escape
        rows = []
        for s in self.steps:
            png = s.picture()
            pic = f'<img src="{png_data_url(png)}" alt="step {s.line}">' if png else ""
            args = "<br>".join(f"<b>{e(k)}</b>={e(_short(v))}" for k, v in s.args.items())
            err = f'<div class="err">{e(s.error.get("type", ""))}: {e(s.error.get("message", ""))}</div>' \
                if s.error else ""
            facts = "".join(f"<li>{e(f)}</li>" for f in s.facts or ())
            rows.append(
                f"<tr><td>{s.line}</td><td><code>{e(s.text or s.module)}</code></td><td>{args}</td>"
                f"<td>{e(s.summary)}{err}{f'<ul>{facts}</ul>' if facts else ''}</td><td>{pic}</td>"
                f"<td>{s.ms:.1f}</td></tr>"
            )
        head = f"<h1>{e(title)}</h1>"
        if question is not None:
            head += f"<p><b>Question:</b> {e(str(question))}</p>"
        shown = answer if answer is not None else self.result
        head += f"<p><b>Answer:</b> {e(_short(jsonable(shown)))}</p>"
        return (
            "<!doctype html><html><head><meta charset=\"utf-8\">"
            f"<title>{e(title)}</title><style>{_CSS}</style></head><body>{head}"
            "<table><tr><th>line</th><th>step</th><th>inputs</th><th>output</th><th>evidence</th><th>ms</th></tr>"
            + "".join(rows) + f"</table><h2>Program</h2><pre>{e(self.program)}</pre></body></html>"
        )


_CSS = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
        "padding:6px;vertical-align:top}img{max-width:384px}.err{color:#b00}code{white-space:pre-wrap}")


def png_data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def jpeg_data_url(image: Image.Image, side: int = THUMB_SIDE) -> str:
    """An input picture for the rationale page, at the size of the step pictures."""
    thumb = _thumbnail(image)
    thumb.thumbnail((side, side))
    buf = io.BytesIO()
    thumb.save(buf, format="JPEG", quality=85)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _short(value: Any, n: int = 300) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= n else text[:n] + "..."


def jsonable(value: Any, depth: int = 0) -> Any:
    """A JSON-able view of a tool value (images summarised by size)."""
    if isinstance(value, (Detections, Regions)):
        return value.to_dict()
    if isinstance(value, Image.Image):
        return {"image": list(value.size)}
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if depth < 4 and isinstance(value, (list, tuple)):
        return [jsonable(v, depth + 1) for v in value[:100]]
    if depth < 4 and isinstance(value, Mapping):
        return {str(k): jsonable(v, depth + 1) for k, v in list(value.items())[:100]}
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return jsonable(to_dict(), depth + 1)
    if hasattr(value, "tolist"):  # numpy
        return jsonable(value.tolist(), depth + 1)
    return repr(value)[:200]


def describe(value: Any) -> str:
    """One-line summary of a value for the trace."""
    summary = getattr(value, "summary", None)
    if callable(summary):
        return summary()
    if isinstance(value, Image.Image):
        return f"image {value.size[0]}x{value.size[1]}"
    return _short(value if isinstance(value, str) else repr(value), 200)


def summarise_args(raw: Mapping[str, Any], resolved: Mapping[str, Any]) -> dict[str, Any]:
    """Variables by name with a short description; literals as written."""
    from agent.program.parser import Var

    out: dict[str, Any] = {}
    for name, arg in raw.items():
        if isinstance(arg, Var):
            out[name] = {"var": arg.name, "value": describe(resolved.get(name))}
        else:
            out[name] = jsonable(arg)
    return out


def step_picture(inputs: Mapping[str, Any], output: Any) -> bytes | None:
    """Boxes drawn on the step's input image, or the output image (CROP, TAG)."""
    if isinstance(output, Image.Image):
        return _png(_thumbnail(output))
    source = next((v for v in inputs.values() if isinstance(v, Image.Image)), None)
    if source is None:
        return None
    if isinstance(output, Regions):
        boxes = [r.bbox for r in output.regions]
        labels = tuple(f"{r.color} {r.shape}" for r in output.regions)
        output = Detections(boxes, [1.0] * len(boxes), labels, source.size, "regions")
    if not isinstance(output, Detections):
        return None
    # Draw on a thumbnail with scaled boxes: drawing on a full photo costs more than the tools.
    thumb = _thumbnail(source)
    scaled = output.resized(thumb.size)  # boxes scaled, SEG masks resampled
    return _png(draw_boxes(thumb, scaled))


def draw_boxes(image: Image.Image, detections: Detections) -> Image.Image:
    try:
        from tools.draw import draw_detections  # shared renderer when available

        return draw_detections(image, detections)
    except (ImportError, TypeError):
        pass
    canvas = image.convert("RGB").copy()
    pen = ImageDraw.Draw(canvas)
    width = max(2, round(max(canvas.size) / 200))
    for box, label, score in zip(detections.boxes, detections.labels, detections.scores, strict=False):
        x1, y1, x2, y2 = (float(v) for v in box)
        pen.rectangle([x1, y1, x2, y2], outline=(255, 40, 40), width=width)
        pen.text((x1 + 3, y1 + 2), f"{label} {score:.2f}", fill=(255, 255, 0))
    return canvas


def _thumbnail(image: Image.Image) -> Image.Image:
    thumb = image.convert("RGB") if image.mode != "RGB" else image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.BILINEAR)
    return thumb


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=1)  # speed over size: pages are local evidence
    return buf.getvalue()


def format_args(args: Any) -> str:
    """A step's arguments in the program's own words: ``image=IMAGE, object='bus'`` (one renderer for the
    CLI, the app and the HTML page; never the trace's ``{"var": ..., "value": ...}`` records)."""
    if not isinstance(args, dict):
        return compact_json(args)
    out = []
    for key, value in args.items():
        if isinstance(value, dict) and "var" in value:
            out.append(f"{key}={value['var']}")
        elif isinstance(value, str):
            out.append(f"{key}={value!r}")
        else:
            out.append(f"{key}={compact_json(value, 120)}")
    return ", ".join(out)


def compact_json(value: Any, limit: int = 600) -> str:
    """``value`` as compact JSON (repr if it is not JSON), cut to ``limit`` characters."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
