"""Process-wide runtime tuning, applied once, when the first application of a process starts."""

from __future__ import annotations

import gc

_tuned = False


def tune_garbage_collector() -> None:
    """Keeps the cyclic garbage collector from stalling the event loop.

    A full collection walks every tracked object, and SQLAlchemy, FastAPI and pydantic leave
    hundreds of thousands of them after import: each pass stalled every in-flight request for
    ~100 ms, which was the whole of the benchmark's p99. Objects alive at start-up live as long
    as the process, so they are frozen out of the collector's reach, and larger thresholds make
    the remaining passes rarer. Reference counting still frees everything acyclic at once.
    """
    global _tuned
    if _tuned:
        return
    _tuned = True
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
