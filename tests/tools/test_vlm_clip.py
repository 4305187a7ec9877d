"""Tiny randomly initialised BLIP and CLIP models built offline: the code paths, not the quality."""

import pytest
from PIL import Image

from agent.config import Config
from tools.models import ModelHub

WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[DEC]", "a", "cat", "dog", "red", "question", "answer",
         ":", "what", "is", "the", "?", "color", "photo", "of", "."]
TINY = dict(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64)
VISION = dict(TINY, image_size=32, patch_size=16)


def _tokenizer():
    import transformers as tf

    return tf.BertTokenizer(vocab={w: i for i, w in enumerate(WORDS)}, bos_token="[DEC]")


@pytest.mark.slow
@pytest.mark.parametrize("head", ["BlipForConditionalGeneration", "BlipForQuestionAnswering"])
def test_tiny_blip_caption_and_answer(head, ctx):
    import torch
    import transformers as tf

    from tools.describe import caption, vqa
    from tools.vlm_transformers import TransformersVLM

    torch.manual_seed(0)
    text = dict(TINY, vocab_size=len(WORDS), max_position_embeddings=64, bos_token_id=5, pad_token_id=0,
                sep_token_id=3)
    model = getattr(tf, head)(tf.BlipConfig(text_config=text, vision_config=VISION, projection_dim=16))
    processor = tf.BlipProcessor(image_processor=tf.BlipImageProcessor(size={"height": 32, "width": 32}),
                                 tokenizer=_tokenizer())
    vlm = TransformersVLM(model=model, processor=processor, max_new_tokens=4)
    assert vlm.family == ("blip-vqa" if "Question" in head else "blip")
    img = Image.new("RGB", (40, 30), "red")
    assert isinstance(vlm.caption(img), str) and isinstance(vlm.answer(img, "what color?"), str)
    ctx.models = ModelHub(Config())  # a private hub: the shared one must not see this model
    ctx.models.install("vqa", vlm)
    assert isinstance(vqa(ctx, img, "what is the color?"), str)
    assert not hasattr(caption(ctx, img), "facts")  # a real VLM answered, not the facts path


@pytest.mark.slow
def test_tiny_clip_embeddings_and_zero_shot(ctx):
    import numpy as np
    import torch
    import transformers as tf

    from tools.clip_backend import ClipBackend
    from tools.locate import select
    from tools.perception import classify
    from tools.types import Detections

    torch.manual_seed(0)
    text = dict(TINY, vocab_size=len(WORDS), max_position_embeddings=32, bos_token_id=2, eos_token_id=3,
                pad_token_id=0)
    model = tf.CLIPModel(tf.CLIPConfig(text_config=text, vision_config=VISION, projection_dim=16))
    processor = tf.CLIPProcessor(
        image_processor=tf.CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}),
        tokenizer=_tokenizer())
    clip = ClipBackend(model=model, processor=processor)
    img = Image.new("RGB", (40, 30), "red")
    feats = clip.image_features([img, Image.new("RGB", (40, 30), "blue")])
    assert feats.shape == (2, 16) and np.allclose(np.linalg.norm(feats, axis=1), 1, atol=1e-5)
    ranked = clip.zero_shot(img, ["cat", "dog"])
    assert {label for label, _ in ranked} == {"cat", "dog"} and abs(sum(p for _, p in ranked) - 1) < 1e-5
    assert ranked[0][1] != ranked[1][1]  # different prompts give different text embeddings
    ctx.models = ModelHub(Config())
    ctx.models.install("clip", clip)
    assert classify(ctx, img, ["cat", "dog"]) in {"cat", "dog"}
    dets = Detections(np.array([[0, 0, 20, 30], [20, 0, 40, 30]]), np.array([0.9, 0.8]), ("x", "y"), img.size)
    chosen = select(ctx, img, dets, "cat")
    assert len(chosen) == 1 and "CLIP" in chosen.notes[-1]
