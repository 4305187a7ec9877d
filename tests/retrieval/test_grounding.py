"""Image-search grounding (retrieval/grounding.py): a KB photo grounds the input only when it is both close and
clearly ahead of any other source's photo; its caption then names the thing and links the documents."""

from PIL import Image

from retrieval.grounding import CONFIDENT_MARGIN, CONFIDENT_SCORE, linked_documents, match_photo, photo_candidate
from retrieval.types import Hit


class FakeKB:
    """Scripted image hits per search (whole image first, then crops) and text hits for the caption search."""

    def __init__(self, image_hits, text_hits=()):
        self.image_hits = list(image_hits)
        self.text_hits = list(text_hits)
        self.text_queries = []

    def search_image(self, img, k=5):
        return self.image_hits.pop(0) if self.image_hits else []

    def search_text(self, query, k=5):
        self.text_queries.append(query)
        return self.text_hits[:k]

    def search_images_by_text(self, query, k=5):
        return []


def photo(id_, source, score, caption=""):
    return Hit(id_, source, "image", f"Caption: {caption}", score, {"caption": caption} if caption else {})


IMAGE = Image.new("RGB", (40, 30), (90, 90, 90))


def test_a_close_photo_clearly_ahead_is_confident():
    kb = FakeKB([[photo("K1", "lion.jpg", 0.93, "Brutus, the zoo's old lion"), photo("K2", "lioness.jpg", 0.62)]])
    match, trace = match_photo(kb, IMAGE)
    assert match.confident and match.hit.id == "K1" and abs(match.margin - 0.31) < 1e-9
    assert trace[0]["searched"] == "whole image" and [h["id"] for h in trace[0]["hits"]] == ["K1", "K2"]


def test_a_near_tie_between_two_sources_is_not_confident():
    # two views of one motorcycle, or a cub and an adult: close, but not clearly one photo
    kb = FakeKB([[photo("K1", "bike_left.jpg", 0.88), photo("K2", "bike_right.jpg", 0.88 - CONFIDENT_MARGIN / 2)]])
    match, _ = match_photo(kb, IMAGE)
    assert match is not None and not match.confident


def test_a_far_photo_is_not_confident_even_alone():
    kb = FakeKB([[photo("K1", "horse.jpg", CONFIDENT_SCORE - 0.05)]])
    match, _ = match_photo(kb, IMAGE)
    assert match is not None and not match.confident and match.margin == CONFIDENT_SCORE - 0.05


def test_a_second_hit_from_the_same_source_is_no_rival():
    kb = FakeKB([[photo("K1", "tower.jpg", 0.90), photo("K1b", "tower.jpg", 0.89), photo("K2", "pavilion.jpg", 0.5)]])
    match, _ = match_photo(kb, IMAGE)
    assert match.confident and abs(match.margin - 0.40) < 1e-9


def test_a_confident_crop_beats_an_unconfident_whole_image():
    kb = FakeKB([[photo("K1", "street.jpg", 0.70)],  # whole picture: a street scene, nothing close
                 [photo("K5", "cheetah_cub.jpg", 0.91, "Pip, the cheetah cub"), photo("K6", "cheetah.jpg", 0.7)]])
    match, trace = match_photo(kb, IMAGE, [("cat", (0, 0, 20, 20))])
    assert [t["searched"] for t in trace] == ["whole image", "crop of the cat"]
    assert match.confident and match.hit.id == "K5" and match.searched == "crop of the cat"


def test_text_hits_and_image_less_results_ground_nothing():
    kb = FakeKB([[Hit("T1", "lion.md", "text", "Brutus the lion", 0.99)]])
    assert match_photo(kb, IMAGE) == (None, [{"searched": "whole image", "hits": []}])


def test_the_caption_names_the_thing_and_links_the_documents_that_name_it():
    kb = FakeKB([[photo("K1", "lion.jpg", 0.95, "Brutus, the zoo's old lion")]],
                text_hits=[Hit("T2", "lioness.md", "text", "Nala the lioness arrived in 2019.", 0.9),
                           Hit("T1", "brutus.md", "text", "Brutus the lion was born in 2008 at Vessa zoo.", 0.7),
                           photo("K1", "lion.jpg", 0.95, "Brutus, the zoo's old lion")])
    match, _ = match_photo(kb, IMAGE)
    cand = photo_candidate(match)
    assert cand.source == "photo" and "Brutus" in cand.keywords and "lion.jpg" in cand.evidence
    linked = linked_documents(kb, cand)
    assert linked and linked[0].id == "T1"  # the document naming Brutus first, ahead of a closer near-miss
    assert all(h.modality == "text" for h in linked)
