"""No route pays a thread-pool hop: FastAPI runs every plain ``def`` dependency (and endpoint) in
a worker thread, a round trip through another thread per call, on every request."""

from __future__ import annotations

import inspect
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from conduit.app import create_app
from conduit.settings import Settings


def _is_coroutine(call: Any) -> bool:
    if inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call):
        return True
    method = getattr(type(call), "__call__", None)  # noqa: B004 (a class instance, e.g. APIKeyHeader)
    return inspect.iscoroutinefunction(method) or inspect.isasyncgenfunction(method)


def _calls(dependant: Dependant) -> list[Any]:
    found = [dependant.call] if dependant.call is not None else []
    for child in dependant.dependencies:
        found += _calls(child)
    return found


def _routes(app: FastAPI) -> list[APIRoute]:
    routes = [context.original_route for context in iter_route_contexts(app.routes)]
    return [route for route in routes if isinstance(route, APIRoute)]


def test_it_runs_every_dependency_and_endpoint_on_the_event_loop(settings: Settings) -> None:
    app = create_app(settings)
    routes = _routes(app)
    assert len(routes) > 30  # the API, the pages and the probes are all there
    blocking = sorted(
        {
            f"{getattr(call, '__module__', '?')}.{getattr(call, '__qualname__', call)}"
            for route in routes
            for call in _calls(route.dependant)
            if not _is_coroutine(call)
        }
    )
    assert blocking == []
