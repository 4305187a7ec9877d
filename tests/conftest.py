"""Session-wide test settings.

The suite uses the 0.5B controller (the 1.5B default is for `make demo` and `make bench`), passed
by absolute path so that apps started with a temporary VISREASON_HOME reuse the assembled file.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SHARED_MODELS = Path(__file__).resolve().parents[2] / "shared" / "models"


def _small_llm_path() -> str:
    from agent.config import Config
    from agent.model_store import ModelStore

    return str(ModelStore(Config()).path("qwen2.5-coder-0.5b"))


def pytest_configure(config) -> None:
    if "VISREASON_MODEL_DIR" not in os.environ and SHARED_MODELS.is_dir():
        # CI's layout (a clean clone with the shared model folder beside it); the package itself only
        # looks in model_dir / $VISREASON_MODEL_DIR / $VISREASON_HOME/models. The Makefile exports the same.
        os.environ["VISREASON_MODEL_DIR"] = str(SHARED_MODELS)
    if "VISREASON_LLM_MODEL" not in os.environ:
        os.environ["VISREASON_LLM_MODEL"] = _small_llm_path()
    if "VISREASON_MEMORY_PATH" not in os.environ:
        # The suite never reads or writes the user's program memory: a fresh one per session (seeds only).
        import tempfile

        os.environ["VISREASON_MEMORY_PATH"] = tempfile.mkdtemp(prefix="visreason-test-memory-")
