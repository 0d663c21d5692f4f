"""Logging a dependency outage by its transitions: one line when it starts, then at most one every
``every`` seconds while it lasts, and one when it ends. A failing Redis once wrote a warning per
request (1 650 lines in 20 s); the state worth knowing is "down since when, how often tried"."""

from __future__ import annotations

import logging
import time


class OutageLog:
    def __init__(self, log: logging.Logger, what: str, every: float = 30.0) -> None:
        self._log = log
        self._what = what
        self._every = every
        self._since: float | None = None
        self._failures = 0
        self._next = 0.0

    @property
    def down(self) -> bool:
        return self._since is not None

    def failed(self, action: str, exc: BaseException) -> None:
        now = time.monotonic()
        self._failures += 1
        if self._since is None:
            self._since = now
            self._next = now + self._every
            self._log.warning(
                "cache: %s unreachable (%s failed: %r); reads are served uncached",
                self._what,
                action,
                exc,
            )
        elif now >= self._next:
            self._next = now + self._every
            self._log.warning(
                "cache: %s still unreachable after %.0f s (%d failures; last: %r)",
                self._what,
                now - self._since,
                self._failures,
                exc,
            )

    def recovered(self) -> None:
        if self._since is None:
            return
        self._log.warning(
            "cache: %s reachable again after %.1f s (%d failures)",
            self._what,
            time.monotonic() - self._since,
            self._failures,
        )
        self._since = None
        self._failures = 0
