"""Probes and metrics: /healthz (liveness), /readyz (readiness), /metrics (Prometheus, only to
the addresses in ``CONDUIT_METRICS_NETWORKS``).

Liveness says only "the process answers": restarting the app cannot fix a database outage, so
the database is a readiness concern. Readiness fails while the database does not answer within
``CONDUIT_READINESS_TIMEOUT``, and from the moment the process is told to terminate, so load
balancers stop sending new work before it goes away.

Redis is optional: without it every feature falls back to the database or to process memory, so
a Redis outage leaves every replica serving. Taking them all out of rotation for it would turn a
slower service into none. It is reported as ``degraded`` (body and ``conduit_dependency_up``),
never as unready.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI, Request
from sqlalchemy import text
from starlette.exceptions import HTTPException
from starlette.responses import Response

from conduit.jsonresponse import json_response
from conduit.observability import metrics
from conduit.observability.lifecycle import Lifecycle

if TYPE_CHECKING:  # the resources (cache, limiter) themselves report to observability
    from conduit.resources import Resources

router = APIRouter(include_in_schema=False)


async def _database(resources: Resources) -> None:
    async with resources.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def _redis(resources: Resources) -> None:
    assert resources.redis is not None
    await resources.redis.ping()


async def _probe(check: Any, resources: Resources, seconds: float) -> str:
    try:
        async with asyncio.timeout(seconds):
            await check(resources)
    except Exception:  # any failure counts; the reason is for operators, not clients
        return "unavailable"
    return "ok"


async def readiness(app: FastAPI) -> tuple[int, dict[str, Any]]:
    """(status code, body) of the readiness probe; also used by the shutdown test server."""
    resources: Resources = app.state.resources
    lifecycle: Lifecycle = app.state.lifecycle
    timeout = resources.settings.readiness_timeout
    probes = {"database": _probe(_database, resources, timeout)}
    if resources.redis is not None:
        probes["redis"] = _probe(_redis, resources, timeout)
    results = dict(zip(probes, await asyncio.gather(*probes.values()), strict=True))
    for dependency, result in results.items():
        metrics.dependency_up(dependency, result == "ok")
    if results.get("redis") == "unavailable":
        results["redis"] = "degraded"
    checks: dict[str, str] = {**results, "process": "draining" if lifecycle.draining else "ok"}
    if checks["database"] != "ok" or checks["process"] != "ok":
        return 503, {"status": "unavailable", "checks": checks}
    status = "ok" if all(value == "ok" for value in checks.values()) else "degraded"
    return 200, {"status": status, "checks": checks}


@router.get("/healthz")
async def healthz() -> Response:
    return json_response({"status": "ok"})


@router.get("/readyz")
async def readyz(request: Request) -> Response:
    status, body = await readiness(request.app)
    return json_response(body, status, {"Cache-Control": "no-store"})


@router.get("/metrics")
async def prometheus(request: Request) -> Response:
    access: metrics.ScrapeAccess = request.app.state.metrics_access
    if not access.allows(request.client.host if request.client else None):
        raise HTTPException(404)  # the same answer as any unknown path
    metrics.sample_pool(request.app.state.resources.engine)
    payload, content_type = metrics.exposition()
    return Response(payload, media_type=content_type)
