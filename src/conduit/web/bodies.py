"""Article bodies as HTML: rendered off the event loop within a time budget, then cached.

markdown-it-py is pure Python, and some inputs cost 10-30 µs per character: 100 KB of ``![``
took 1.7-2.9 s here, a 16 000-row table 1.3 s. Rendered on the event loop, one such view stalls
every other request of the process (``/healthz`` took seconds). Neither a parser option nor a
cheap pre-scan bounds it (docs/web.md, "Markdown"), so:

- a short body (``INLINE_CHARS`` at most: ~30 ms in the worst case measured) renders inline;
- a longer one renders in a worker process (pebble's ``ProcessPool``). A page waits for it at
  most the budget, then shows the body as escaped plain-text paragraphs. A render that itself
  runs past the budget is stopped (its worker killed and replaced), and the plain text is kept
  for that body from then on, logged once;
- the HTML is kept in an LRU bounded by size and keyed by a hash of the body, so an article is
  rendered once per process however often it is viewed; simultaneous views share one render,
  and one that finishes after its readers gave up is still kept for the next view.

Where processes cannot be started (no ``/dev/shm``, as on AWS Lambda) or
``CONDUIT_MARKDOWN_WORKERS=0``, renders run in one background thread instead: pages still never
wait more than the budget, though an overrunning render cannot be stopped early.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import html
import logging
import multiprocessing
import multiprocessing.context
import re
import time
from concurrent.futures import Future, ThreadPoolExecutor
from multiprocessing import forkserver

from cachetools import LRUCache
from markupsafe import Markup
from pebble import ProcessPool
from starlette.requests import Request

from conduit.settings import Settings
from conduit.web.markdown import render_markdown

INLINE_CHARS = 1_000
# Renders queued or running per worker before further long bodies are shown as plain text
# straight away (and rendered on a later view): a flood of new bodies cannot queue without end.
QUEUE_PER_WORKER = 8
START_TIMEOUT = 30.0

log = logging.getLogger("conduit.web.markdown")

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def plain_paragraphs(text: str) -> str:
    """The degraded rendering: the author's text, escaped, one ``<p>`` per paragraph."""
    parts = (part.strip() for part in _PARAGRAPH_BREAK.split(text))
    return "".join(f"<p>{html.escape(part)}</p>\n" for part in parts if part)


def digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _forkserver() -> multiprocessing.context.ForkServerContext:
    """Workers are forked from a fork server that has already imported the renderer, so a
    worker killed after an overrun is replaced quickly. (Forking this process instead would copy
    its other threads' locks mid-use.) Starting the server costs a second or more: it is started
    in the background when the app starts, once per process."""
    context = multiprocessing.get_context("forkserver")
    # "__main__" too: a worker forked from a server that has the main module skips importing it
    # again (multiprocessing otherwise re-imports it in every new worker, ~1 s for the CLI).
    context.set_forkserver_preload(["__main__", render_markdown.__module__])
    forkserver.ensure_running()
    return context


def _stop(pool: ProcessPool) -> None:
    pool.stop()  # type: ignore[no-untyped-call]  # pebble leaves stop() unannotated


def _start_pool(workers: int) -> ProcessPool:
    pool = ProcessPool(max_workers=workers, context=_forkserver())
    try:
        # Starts the workers, and proves they work where this platform allows processes at all.
        pool.schedule(len, args=("",)).result(timeout=START_TIMEOUT)
    except BaseException:
        _stop(pool)
        raise
    return pool


def _timed_render(text: str, budget: float) -> str:
    """The thread fallback cannot stop a render: it measures it, and reports an overrun."""
    started = time.perf_counter()
    rendered = render_markdown(text)
    if time.perf_counter() - started > budget:
        raise TimeoutError()
    return rendered


class BodyRenderer:
    def __init__(self, budget_seconds: float, workers: int, cache_bytes: int) -> None:
        self.budget = budget_seconds
        self.workers = workers
        self.cache: LRUCache[bytes, str] = LRUCache(maxsize=cache_bytes, getsizeof=len)
        # Renders queued or running, by body hash.
        self._jobs: dict[bytes, asyncio.Future[str]] = {}
        self._max_jobs = QUEUE_PER_WORKER * max(workers, 1)
        self._starting = asyncio.Lock()
        self._pool: ProcessPool | None = None
        self._threads: ThreadPoolExecutor | None = None
        self._no_processes = workers == 0
        self._warming: asyncio.Task[object] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> BodyRenderer:
        return cls(
            settings.markdown_budget_seconds,
            settings.markdown_workers,
            settings.markdown_cache_bytes,
        )

    def start(self) -> None:
        """Starts the fork server in the background (the app's start-up does not wait for it);
        the worker pool itself starts with the first long body."""
        if not self._no_processes and self._warming is None:
            self._warming = asyncio.create_task(asyncio.to_thread(_forkserver))

    async def html(self, text: str) -> Markup:
        key = digest(text)
        rendered = self.cache.get(key)
        if rendered is None:
            if len(text) <= INLINE_CHARS:
                rendered = render_markdown(text)
                self._remember(key, rendered)
            else:
                rendered = await self._wait_for_render(key, text)
        return Markup(rendered)  # noqa: S704 - sanitised by nh3, or escaped by plain_paragraphs

    def _remember(self, key: bytes, rendered: str) -> None:
        if len(rendered) <= self.cache.maxsize:
            self.cache[key] = rendered

    async def _wait_for_render(self, key: bytes, text: str) -> str:
        # Starting the pool (once per process) is not counted in the budget.
        pool = await self._process_pool()
        # No await from here to the registration: simultaneous views share one job.
        job = self._jobs.get(key)
        if job is None:
            if len(self._jobs) >= self._max_jobs:
                return plain_paragraphs(text)
            job = self._submit(pool, text)
            self._jobs[key] = job
            job.add_done_callback(lambda done: self._finished(key, text, done))
        # asyncio.wait never cancels the job: a render outliving this page serves the next one.
        await asyncio.wait({job}, timeout=self.budget)
        if job.done() and not job.cancelled() and job.exception() is None:
            return job.result()
        return plain_paragraphs(text)

    def _submit(self, pool: ProcessPool | None, text: str) -> asyncio.Future[str]:
        future: Future[str]
        if pool is None:
            if self._threads is None:
                self._threads = ThreadPoolExecutor(1, thread_name_prefix="markdown")
            future = self._threads.submit(_timed_render, text, self.budget)
        else:
            try:
                # pebble counts the timeout from the moment a worker starts the render, and then
                # kills that worker: only the render's own time counts, not a wait in the queue.
                future = pool.schedule(render_markdown, args=(text,), timeout=self.budget)
            except RuntimeError as error:
                # The pool broke (every worker died at once): a fresh one is started next time.
                self._pool = None
                _stop(pool)
                future = Future()
                future.set_exception(error)
        return asyncio.wrap_future(future)

    def _finished(self, key: bytes, text: str, job: asyncio.Future[str]) -> None:
        self._jobs.pop(key, None)
        if job.cancelled():
            return
        error = job.exception()
        if error is None:
            self._remember(key, job.result())
        elif isinstance(error, TimeoutError):
            log.warning(
                "markdown render of %d characters over its %.2f s budget: "
                "shown as plain text from now on",
                len(text),
                self.budget,
            )
            self._remember(key, plain_paragraphs(text))
        else:
            # A crashed worker or a parser bug: readers get the text; a later view tries again.
            log.error("markdown render failed: %r", error)

    async def _process_pool(self) -> ProcessPool | None:
        if self._no_processes:
            return None
        async with self._starting:
            if self._pool is None:
                try:
                    if self._warming is not None:
                        await self._warming
                    self._pool = await asyncio.to_thread(_start_pool, self.workers)
                except (OSError, ValueError, RuntimeError, TimeoutError) as error:
                    log.warning(
                        "markdown worker processes unavailable, rendering in a thread: %s", error
                    )
                    self._no_processes = True
            return self._pool

    async def close(self) -> None:
        if self._warming is not None:
            with contextlib.suppress(Exception):
                await self._warming
        pool, self._pool = self._pool, None
        if pool is not None:
            _stop(pool)
            with contextlib.suppress(TimeoutError):
                await asyncio.to_thread(pool.join, 5.0)
        if self._threads is not None:
            self._threads.shutdown(wait=False, cancel_futures=True)


def body_renderer(request: Request) -> BodyRenderer:
    renderer: BodyRenderer = request.app.state.bodies
    return renderer
