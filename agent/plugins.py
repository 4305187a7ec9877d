"""Named code the operator points at: ``"package.module:attribute"`` imported, never evaluated.

One loader for every place that takes such a name (a reasoner factory for batch, the app and the
benchmarks; an LLM backend class): the module is imported with importlib and the dotted attribute
looked up; anything else is a typed ConfigError naming the spec.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from agent.errors import ConfigError


def load_callable(spec: str | Callable, what: str = "reasoner factory") -> Callable:
    """A callable, or the one ``"package.module:attribute"`` names (``what`` names it in errors)."""
    if callable(spec):
        return spec
    if not isinstance(spec, str) or ":" not in spec:
        raise ConfigError(f"{what} must look like 'module:callable', got {spec!r}")
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ConfigError(f"{what} must look like 'module:callable', got {spec!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(f"cannot import {what} module {module_name!r}: {exc}") from None
    target: Any = module
    for part in attr.split("."):
        target = getattr(target, part, None)
        if target is None:
            raise ConfigError(f"{module_name!r} has no attribute {attr!r} ({what} {spec!r})")
    if not callable(target):
        raise ConfigError(f"{what} {spec!r} is not callable")
    return target
