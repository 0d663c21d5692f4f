"""A low-priority thread pool for CPU-heavy work that must not starve the event loop.

Password hashing (Argon2id, ~50 ms of CPU per call at the default cost, across several threads)
runs here. Its threads run at a lower OS priority (nice), so when requests and hashing compete
for a core the scheduler favours the event loop: reads stay fast under a login storm, and logins
use whatever CPU is left. Lanes spawned by Argon2 inherit the priority.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

NICENESS = 19

P = ParamSpec("P")
T = TypeVar("T")

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None


def _lower_priority() -> None:
    # Not Linux, or not permitted: normal priority then.
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=max(2, os.cpu_count() or 2),
                thread_name_prefix="conduit-slow",
                initializer=_lower_priority,
            )
        return _executor


async def run(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_pool(), functools.partial(function, *args, **kwargs))
