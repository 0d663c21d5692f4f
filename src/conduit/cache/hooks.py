"""Cache hit/miss counting: Prometheus counters (``conduit_cache_hits_total{cache=kind}``).

``set_recorder`` replaces the recorder (tests, or another metrics backend).
"""

from __future__ import annotations

from collections.abc import Callable

from conduit.observability import metrics


def _prometheus(kind: str, hit: bool) -> None:
    if hit:
        metrics.cache_hit(kind)
    else:
        metrics.cache_miss(kind)


_recorder: Callable[[str, bool], None] | None = _prometheus


def set_recorder(recorder: Callable[[str, bool], None] | None) -> None:
    """Installs ``recorder(kind, hit)``; called once per cache lookup on the hot path."""
    global _recorder
    _recorder = recorder


def record(kind: str, hit: bool) -> None:
    if _recorder is not None:
        _recorder(kind, hit)
