"""Fixtures for the vision tool tests: a context with a cache, and the sample photos."""

from __future__ import annotations

import pytest
from PIL import Image

from agent.config import Config
from tools.cache import ToolCache
from tools.context import ToolContext


@pytest.fixture
def ctx() -> ToolContext:
    return ToolContext(config=Config(), cache=ToolCache())


@pytest.fixture(scope="session")
def bus() -> Image.Image:
    from ultralytics.utils import ASSETS

    return Image.open(ASSETS / "bus.jpg").convert("RGB")


@pytest.fixture(scope="session")
def zidane() -> Image.Image:
    from ultralytics.utils import ASSETS

    return Image.open(ASSETS / "zidane.jpg").convert("RGB")
