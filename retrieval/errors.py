"""Errors specific to the knowledge base."""

from __future__ import annotations

from agent.errors import VisreasonError


class KBError(VisreasonError):
    """A knowledge base that cannot be built, opened or changed as asked.

    Raised for a missing or damaged KB directory, a manifest that does not match its files,
    or a KB built with a different embedder than the one configured.
    """
