"""The built-in retrieval actions, each a :class:`RetrievalAction` registered in ``retrieval.actions.REGISTRY``.

An action gets the decision's query and focus, the KB (read-only searches) and the input photo, and
returns hits. ``doc`` is its description in the decider's prompt; ``needs_image`` sends a decision
made without a photo to a text search instead; ``uses_focus`` keeps the decision's object label.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from retrieval.types import Hit, SearchableKB

Box = tuple[float, float, float, float]
Locate = Callable[[Image.Image, str], "Box | None"]


@dataclass(frozen=True)
class ActionRequest:
    query: str
    focus: str  # an object label from the image facts (only for actions with uses_focus)
    kb: SearchableKB
    image: Image.Image | None
    k: int
    locate: Locate | None = None  # finds the focused object's box; None searches the whole image


@dataclass(frozen=True)
class RetrievalAction:
    run: Callable[[ActionRequest], list[Hit]]
    doc: str  # shown to the decider: "name (doc)"
    needs_image: bool = False
    uses_focus: bool = False

    def __call__(self, request: ActionRequest) -> list[Hit]:
        return self.run(request)


def crop_image(image: Image.Image | None, box: Box | None) -> Image.Image | None:
    """Crop to ``box`` (pixels xyxy, clamped); an empty or missing box keeps the whole image.

    Not ``tools.runtime.crop_box``: that one is CROP's semantics (padding, a degenerate box gives a 1-pixel
    crop, as the program asked). A KB image search needs a searchable picture, so here a degenerate or
    missing box falls back to the whole photo."""
    if image is None or box is None:
        return image
    w, h = image.size
    x1, y1, x2, y2 = max(0, box[0]), max(0, box[1]), min(w, box[2]), min(h, box[3])
    if x2 - x1 < 2 or y2 - y1 < 2:
        return image
    return image.crop((int(x1), int(y1), int(x2), int(y2)))


def _image_search(r: ActionRequest) -> list[Hit]:
    box = r.locate(r.image, r.focus) if (r.locate and r.focus and r.image is not None) else None
    return r.kb.search_image(crop_image(r.image, box), r.k)


TEXT_SEARCH = RetrievalAction(lambda r: r.kb.search_text(r.query, r.k),
                              "search KB text with a query you write")
IMAGE_SEARCH = RetrievalAction(
    _image_search, "find KB photos that look like the input photo; focus may name one object from the image facts",
    needs_image=True, uses_focus=True)
IMAGE_SEARCH_BY_TEXT = RetrievalAction(lambda r: r.kb.search_images_by_text(r.query, r.k),
                                       "find KB photos matching a description")
NO_RETRIEVAL = RetrievalAction(lambda r: [], "nothing to look up")
