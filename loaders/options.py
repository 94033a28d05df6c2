"""Options every loader accepts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LoadOptions:
    """A target graph to override the loader's own, a format name, a progress callback, and
    whether anything a loader had to skip is an error."""

    graph: str | None = None
    format: str | None = None
    report: Callable[[int], None] | None = None
    strict: bool = False


DEFAULT = LoadOptions()
