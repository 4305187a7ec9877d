import numpy as np
import pytest
from PIL import Image

from agent.config import Config
from retrieval.describe import caption_only
from retrieval.embedders import ClipEmbedder, image_embedder_name, normalise, text_embedder
from retrieval.kb import KnowledgeBase


def test_normalise_rows():
    out = normalise(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert out.dtype == np.float32 and np.allclose(out[0], [0.6, 0.8]) and np.all(np.isfinite(out))


class FakeClip:
    source = "clip:tiny"

    def image_features(self, images):
        return np.stack([np.asarray(im.resize((1, 1)), np.float32).reshape(3) + 1 for im in images])

    def text_features(self, texts):
        return np.stack([np.array([len(t), 1.0, 2.0], np.float32) for t in texts])


def test_clip_adapter_shapes_and_name():
    emb = ClipEmbedder(FakeClip())
    assert emb.name == image_embedder_name(Config().replace(**{"embedder.clip_model": "tiny"}))
    assert emb.dim == 3
    vecs = emb.embed_images([Image.new("RGB", (4, 4), (10, 20, 30))])
    assert vecs.shape == (1, 3) and np.isclose(np.linalg.norm(vecs[0]), 1.0)
    assert emb.embed_texts(["a", "bb"]).shape == (2, 3)


@pytest.mark.slow
def test_minilm_is_loaded_once_and_semantic(tmp_path):
    cfg = Config()
    emb = text_embedder(cfg)
    assert emb is text_embedder(cfg) and emb.dim == 384
    vecs = emb.embed_texts(["a feline resting", "a cat sleeping", "rocket engine thrust"])
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2]
    src = tmp_path / "src"
    src.mkdir()
    (src / "pets.txt").write_text("Whiskers is a tabby cat who naps on the library windowsill every afternoon.")
    (src / "space.txt").write_text("The Aurora rocket burns liquid oxygen and kerosene in its first stage.")
    kb = KnowledgeBase.build(src, tmp_path / "kb", cfg, describer=caption_only, progress=False)
    assert kb.info()["text_model"] == "all-minilm-l6-v2"
    assert kb.search_text("where does the kitty sleep?", 1)[0].source.endswith("pets.txt")
    assert kb.search_text("propellant of the launch vehicle", 1)[0].source.endswith("space.txt")
