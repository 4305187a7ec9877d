"""A KB photo the loop retrieves reaches the app's gallery: real KB hit -> the loop's event -> TurnView.

The old bug (issue 15): the loop sent ``thumbnail_path``, the view read ``thumbnail``. This goes through the
loop's own emitter (``citation`` -> ``RetrievedItem``) rather than a hand-built event.
"""

from pathlib import Path

from agent.events import Retrieval, RetrievedItem, parse
from retrieval.kb import KnowledgeBase
from retrieval.loop import citation


def test_a_retrieved_kb_photo_reaches_the_gallery(src_dir, tmp_path, bow_config, kb_kwargs):
    from agent.ui.render import TurnView

    kb = KnowledgeBase.build(src_dir, tmp_path / "kb", bow_config, progress=False, **kb_kwargs)
    photo = kb.search_images_by_text("blue bus Azul Lines", 1)[0]
    assert photo.modality == "image" and Path(photo.thumbnail_path).is_file()
    item = RetrievedItem.from_dict(citation(photo.to_dict()))  # what the loop emits (retrieval/loop.py)
    assert item.thumbnail_path == photo.thumbnail_path
    event = Retrieval(1, "image_search_by_text", "blue bus", (item,))
    assert parse(event.to_dict()) == event
    view = TurnView()
    view.feed(event.to_dict())
    assert [caption for _, caption in view.gallery] == [f"retrieved: {photo.source[:60]}"]
    assert view.gallery[0][0].size[0] > 0  # the thumbnail file was read, not just named
