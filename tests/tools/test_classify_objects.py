"""CLASSIFY over objects (VisProg's knowledge tagging) and TAG drawing the labelled objects."""

import numpy as np
import pytest
from PIL import Image

from agent.errors import ArgumentError
from tests.tools.visprog_fakes import ColourClip, people_scene, private_ctx
from tools.classify_objects import assign, known_offline
from tools.perception import classify, tag
from tools.types import Detections


def test_faces_by_name_without_clip_come_back_untagged_with_a_warning():
    img, people = people_scene()
    faces = people.relabelled(["face"] * 3, people.scores)
    out = classify(private_ctx(), img, categories=["George Washington", "Abraham Lincoln"], object=faces)
    assert isinstance(out, Detections) and out.labels == ("face",) * 3
    assert "needs CLIP" in out.warnings[0] and "embedder.clip_model" in out.warnings[0]
    assert out.facts and out.facts[0].startswith("warning:")  # the trace lists it


def test_with_clip_each_name_goes_to_its_best_object_once():
    img, people = people_scene()
    out = classify(private_ctx(ColourClip()), img, categories=["red team", "blue team"], object=people)
    # the green object also prefers one of the two names, but each name keeps only its best object
    assert dict(zip(out.labels, (b[0] for b in out.boxes.tolist()), strict=True)) == {"red team": 10, "blue team": 90}
    assert not out.warnings


def test_colour_candidates_are_read_offline_from_the_objects_pixels():
    img, people = people_scene()
    out = classify(private_ctx(), img, categories=["red", "green", "purple"], object=people)
    assert sorted(zip(out.labels, (b[0] for b in out.boxes.tolist()), strict=True)) == [("green", 170), ("red", 10)]


def test_visprog_assignment_keeps_the_best_object_per_class():
    scores = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7]])
    assert assign(scores, ["a", "b"]) == [(0, "a", pytest.approx(0.9)), (2, "b", pytest.approx(0.7))]
    assert assign(np.array([[0.2, 0.8], [0.6, 0.4]]), ["only", "other"]) == [(1, "only", pytest.approx(0.6))]


def test_known_offline_words():
    assert known_offline("red") and known_offline("grey") and known_offline("zebra") and known_offline("animal")
    assert known_offline("running shoe") and known_offline("shoes") and known_offline("espresso")
    assert not known_offline("George Washington") and not known_offline("Italian") and not known_offline("Chinese")


@pytest.mark.slow
def test_imagenet_words_name_objects_offline():
    from skimage.data import chelsea

    cat = Image.fromarray(chelsea())
    objs = Detections(np.array([[0, 0, cat.width, cat.height]]), np.array([0.9]), ("cat",), cat.size)
    out = classify(private_ctx(), cat, categories=["dog", "cat", "bird"], object=objs)
    assert out.labels == ("cat",) and out.scores[0] > 0


def test_tag_draws_visprog_objects_and_needs_one_box_argument():
    img, people = people_scene()
    tagged = people.relabelled(["red", "blue", "green"], [0.9, 0.8, 0.7]).with_warnings("one was unsure")
    out = tag(None, img, object=tagged)
    assert out.size == img.size and out.tobytes() != img.tobytes()
    assert out.facts == ["warning: one was unsure"]
    with pytest.raises(ArgumentError):
        tag(None, img)


@pytest.mark.slow
def test_faces_are_named_through_the_real_clip_backend_when_configured():
    """A tiny random CLIPModel behind tools/clip_backend.py: the knowledge-tagging path, not the quality."""
    import torch
    import transformers as tf

    from tests.tools.test_vlm_clip import TINY, VISION, WORDS, _tokenizer
    from tools.clip_backend import ClipBackend

    torch.manual_seed(0)
    text = dict(TINY, vocab_size=len(WORDS), max_position_embeddings=32, bos_token_id=2, eos_token_id=3,
                pad_token_id=0)
    model = tf.CLIPModel(tf.CLIPConfig(text_config=text, vision_config=VISION, projection_dim=16))
    processor = tf.CLIPProcessor(
        image_processor=tf.CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}),
        tokenizer=_tokenizer())
    img, people = people_scene()
    faces = people.relabelled(["face"] * 3, people.scores)
    out = classify(private_ctx(ClipBackend(model=model, processor=processor)), img, categories=["cat", "dog"],
                   object=faces)
    assert 1 <= len(out) <= 2 and set(out.labels) <= {"cat", "dog"} and len(set(out.labels)) == len(out)
    assert not out.warnings and "CLIP" in out.notes[-1]
