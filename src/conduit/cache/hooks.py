"""Cache hit/miss counting, forwarded to ``conduit.metrics`` when that module offers a hook."""

from __future__ import annotations

from collections.abc import Callable

_recorder: Callable[[str, bool], None] | None = None


def set_recorder(recorder: Callable[[str, bool], None] | None) -> None:
    """Installs ``recorder(kind, hit)``; called once per cache lookup on the hot path."""
    global _recorder
    _recorder = recorder


def record(kind: str, hit: bool) -> None:
    if _recorder is not None:
        _recorder(kind, hit)
