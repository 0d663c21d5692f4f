"""Prometheus metrics. Labels are bounded: route *templates* (never raw paths), methods, statuses.

Other modules use the tiny API: ``metrics.cache_hit("articles")`` / ``metrics.cache_miss(...)``
(the name is a cache's fixed name, never a key), and the middleware calls ``observe_request``.
With several worker processes, set ``PROMETHEUS_MULTIPROC_DIR`` to a shared empty directory so
``/metrics`` aggregates every worker (prometheus-client's multiprocess mode).
"""

from __future__ import annotations

import ipaddress
import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy.ext.asyncio import AsyncEngine

REQUESTS = Counter(
    "conduit_http_requests_total",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "conduit_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status.",
    ["method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
POOL_CHECKED_OUT = Gauge(
    "conduit_db_pool_checked_out",
    "Database connections currently lent to requests.",
    multiprocess_mode="livesum",
)
POOL_SIZE = Gauge(
    "conduit_db_pool_size",
    "Database connections the pool keeps (without overflow).",
    multiprocess_mode="livesum",
)
POOL_OVERFLOW = Gauge(
    "conduit_db_pool_overflow",
    "Connections opened beyond the pool size (negative: pool not yet full).",
    multiprocess_mode="livesum",
)
DEPENDENCY_UP = Gauge(
    "conduit_dependency_up",
    "1 when the dependency answered the last readiness probe, else 0 (Redis: degraded).",
    ["dependency"],
    multiprocess_mode="livemostrecent",
)
CACHE_HITS = Counter("conduit_cache_hits_total", "Cache lookups answered from cache.", ["cache"])
CACHE_MISSES = Counter("conduit_cache_misses_total", "Cache lookups that missed.", ["cache"])

# (method, route, status) -> bound children: skips prometheus-client's label lookup per request.
_children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    key = (method, route, status)
    children = _children.get(key)
    if children is None:
        labels = (method, route, str(status))
        children = _children[key] = (REQUESTS.labels(*labels), LATENCY.labels(*labels))
    children[0].inc()
    children[1].observe(seconds)


def cache_hit(name: str) -> None:
    CACHE_HITS.labels(name).inc()


def cache_miss(name: str) -> None:
    CACHE_MISSES.labels(name).inc()


def dependency_up(name: str, up: bool) -> None:
    DEPENDENCY_UP.labels(name).set(1 if up else 0)


def sample_pool(engine: AsyncEngine) -> None:
    """Pool gauges are read at scrape time: nothing to do per request."""
    pool = engine.sync_engine.pool
    checked_out = getattr(pool, "checkedout", None)
    if checked_out is None:  # pools without accounting (NullPool, StaticPool)
        return
    POOL_CHECKED_OUT.set(checked_out())
    POOL_SIZE.set(pool.size())  # type: ignore[attr-defined]
    POOL_OVERFLOW.set(pool.overflow())  # type: ignore[attr-defined]


def exposition() -> tuple[bytes, str]:
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=folder)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


class ScrapeAccess:
    """Who may read /metrics (``CONDUIT_METRICS_NETWORKS``): nobody unless configured. The
    address is the client's as the app sees it, i.e. after ``CONDUIT_TRUSTED_PROXIES``."""

    def __init__(self, networks: list[str]) -> None:
        self.anyone = "*" in networks
        self.networks = [ipaddress.ip_network(n, strict=False) for n in networks if n != "*"]

    def allows(self, address: str | None) -> bool:
        if self.anyone:
            return True
        if address is None or not self.networks:
            return False
        try:
            client = ipaddress.ip_address(address)
        except ValueError:  # e.g. a unix socket peer or a test transport's name
            return False
        return any(client in network for network in self.networks)
