"""Grounding the input photo in the KB's own photos by image search.

The whole picture and the crop of the object the question is about are searched against the KB's
image index. A match is **confident** when its similarity is at least ``CONFIDENT_SCORE`` and ahead
of the best photo of another source by ``CONFIDENT_MARGIN`` (the same photo mirrored or cropped
scores 0.86-0.99 with EfficientNet-Lite0 features, a different photo of the same kind of animal
0.4-0.6; two views of one motorcycle 0.8-0.9, which is why a near-tie is not confident).

A confident match becomes the first identification candidate: the photo's caption names the
thing ("Marmalade, the library cat"), and the KB documents that share the caption's names
(or, for a caption without names, its content words) are the photo's **linked documents**: they
join the evidence before any text search for the question.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval.actions import crop_image
from retrieval.identify import Box, Candidate
from retrieval.types import Hit, SearchableKB
from retrieval.words import STOPWORDS, content_words, names_in, stems
from tools.colors import COLOR_NAMES

if TYPE_CHECKING:
    from PIL import Image

CONFIDENT_SCORE = 0.75
CONFIDENT_MARGIN = 0.08
MAX_CROPS = 2


@dataclass(frozen=True)
class PhotoMatch:
    hit: Hit
    searched: str  # "whole image" or "crop of the bus"
    margin: float  # lead over the best photo of another source
    confident: bool

    def to_dict(self) -> dict:
        return {"id": self.hit.id, "source": self.hit.source, "score": self.hit.score, "searched": self.searched,
                "margin": round(self.margin, 4), "confident": self.confident}


def match_photo(kb: SearchableKB, image: Image.Image | None, crops: list[tuple[str, Box]] | None = None, k: int = 4) -> tuple[PhotoMatch | None, list[dict]]:
    """The best KB photo for the whole image and up to two object crops, with every search's top hits for the trace."""
    searches = [("whole image", image)] + [(f"crop of the {name}", crop_image(image, box))
                                           for name, box in (crops or [])[:MAX_CROPS] if box is not None]
    best: PhotoMatch | None = None
    trace: list[dict] = []
    for what, img in searches:
        hits = [h for h in kb.search_image(img, k) if h.modality == "image"]
        trace.append({"searched": what, "hits": [{"id": h.id, "source": h.source, "score": h.score} for h in hits]})
        if not hits:
            continue
        top = hits[0]
        rival = next((h.score for h in hits[1:] if h.source != top.source), 0.0)
        match = PhotoMatch(top, what, top.score - rival,
                           top.score >= CONFIDENT_SCORE and top.score - rival >= CONFIDENT_MARGIN)
        if best is None or (match.confident, match.hit.score) > (best.confident, best.hit.score):
            best = match
    return best, trace


def caption_of(hit: Hit) -> str:
    caption = hit.metadata.get("caption") if isinstance(hit.metadata, dict) else None
    if isinstance(caption, str) and caption.strip():
        return caption.strip()
    text = hit.text
    return text[len("Caption: "):].split(". ")[0] if text.startswith("Caption: ") else text[:160]


def photo_candidate(match: PhotoMatch) -> Candidate:
    """The matched photo as an identification: its caption's names, else its content words, are the keywords."""
    caption = caption_of(match.hit)
    names = [n for n in names_in(caption) if n.lower() not in STOPWORDS]
    words = [w for w in content_words(caption) if w not in COLOR_NAMES]
    colours = [w for w in content_words(caption) if w in COLOR_NAMES]
    keywords = names or words[:6]
    qualifiers = colours + [w for w in words if not any(w in stems(n.lower()) for n in names)][:6]
    evidence = (f"KB photo {match.hit.id} ({Path(match.hit.source).name}) matches the {match.searched}: "
                f"similarity {match.hit.score:.2f}, {match.margin:.2f} ahead of any other photo; caption '{caption}'")
    return Candidate(caption[:160], tuple(keywords), tuple(qualifiers), "photo", evidence)


def linked_documents(kb: SearchableKB, cand: Candidate, k: int = 4) -> list[Hit]:
    """Text documents that name the matched photo's caption words, most names first."""
    from retrieval.spans import rank

    hits = [h for h in kb.search_text(cand.name, 3 * k) if h.modality == "text"]
    return [h for h, _ in rank(hits, cand)][:k]
