"""Graceful shutdown: readiness fails the moment SIGTERM arrives.

The server (uvicorn, gunicorn's uvicorn worker) owns SIGTERM: it stops accepting connections,
lets in-flight requests finish (``CONDUIT_SHUTDOWN_TIMEOUT``) and runs the lifespan shutdown.
``watch_termination`` chains a handler in front of the server's so that ``/readyz`` answers 503
from the first instant: load balancers that keep polling an already-open connection see it.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType


@dataclass(slots=True)
class Lifecycle:
    draining: bool = False


@contextmanager
def watch_termination(lifecycle: Lifecycle) -> Iterator[None]:
    # Signal handlers can only be installed from the main thread (not so under a2wsgi or tests
    # running the app in a worker thread): there the host's own shutdown is all there is.
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)

    def on_terminate(signum: int, frame: FrameType | None) -> None:
        lifecycle.draining = True
        if callable(previous):
            previous(signum, frame)
        elif previous == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.raise_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, on_terminate)
    try:
        yield
    finally:
        lifecycle.draining = True
        # Put back whatever was there unless someone replaced us meanwhile.
        if signal.getsignal(signal.SIGTERM) is on_terminate:
            signal.signal(signal.SIGTERM, previous)
