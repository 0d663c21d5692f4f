"""Pure ASGI middleware (no BaseHTTPMiddleware: it would add a task and a copy per request).

``RequestObservability``: request id (accepted from ``X-Request-ID`` when sane, else generated,
echoed either way), the access log line, request metrics, HSTS when ``CONDUIT_HTTPS`` is on.
``HostCheck``: answers 400 to a ``Host`` outside ``CONDUIT_ALLOWED_HOSTS``; probes are exempt
because orchestrators address them by IP.
"""

from __future__ import annotations

import itertools
import os
import re
from time import perf_counter
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conduit.observability import logs
from conduit.observability.context import RequestContext, current
from conduit.observability.metrics import observe_request
from conduit.settings import Settings

_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
# Process-unique prefix + counter: unique ids without an os.urandom call per request.
_ID_PREFIX = os.urandom(6).hex()
_ids = itertools.count(1)
UNMATCHED = "<unmatched>"
PROBES = frozenset({"/healthz", "/readyz", "/metrics"})


def full_templates(app: Any) -> dict[int, str]:
    """id(route) -> full template, for routers FastAPI includes lazily (0.16x: routes keep their
    router-relative path and the prefix lives in the include). Older versions copy routes with
    the full path, which ``route_template`` reads directly."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - FastAPI before lazy includes
        return {}
    templates: dict[int, str] = {}
    for context in iter_route_contexts(getattr(app, "routes", [])):
        if context.path_format:
            templates.setdefault(id(context.original_route), context.path_format)
    return templates


def route_template(scope: Scope, root_path: str, templates: dict[int, str]) -> str:
    """The matched route's template (``/api/articles/{slug}``), never the raw path."""
    route: Any = scope.get("route")
    if route is None:
        return UNMATCHED
    known = templates.get(id(route))
    if known is not None:
        return known
    template = getattr(route, "path_format", None)
    if template is None:
        return UNMATCHED
    # Inside a Mount the template is relative to the mount point, which Starlette appends to
    # root_path; outside one root_path is unchanged and this is a no-op.
    mounted = scope.get("root_path", "")[len(root_path) :]
    return mounted + template if mounted else str(template)


class RequestObservability:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.templates: dict[int, str] | None = None
        self.access_log = settings.access_log
        self.extra_headers: list[tuple[bytes, bytes]] = []
        if settings.https and settings.hsts_seconds:
            value = f"max-age={settings.hsts_seconds}; includeSubDomains"
            self.extra_headers.append((b"strict-transport-security", value.encode()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        root_path = scope.get("root_path", "")
        request_id = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                candidate = value.decode("latin-1")
                if _SANE_ID.fullmatch(candidate):
                    request_id = candidate
                break
        if request_id is None:
            request_id = f"{_ID_PREFIX}{next(_ids):x}"
        client = scope.get("client")
        context = RequestContext(request_id, client[0] if client else None)
        token = current.set(context)
        request_id_header = (b"x-request-id", request_id.encode())
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", ()), request_id_header]
                for extra in self.extra_headers:
                    # The web pages may have set their own HSTS already.
                    if not any(name.lower() == extra[0] for name, _ in headers):
                        headers.append(extra)
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            elapsed = perf_counter() - started
            if self.templates is None:
                self.templates = full_templates(scope.get("app"))
            route = route_template(scope, root_path, self.templates)
            method = scope["method"]
            observe_request(method, route, status, elapsed)
            if self.access_log:
                logs.access(method, route, status, round(elapsed * 1000, 2))
            current.reset(token)


def _host_only(header: str) -> str:
    if header.startswith("["):  # [IPv6]:port
        return header[: header.find("]") + 1].lower()
    return header.rsplit(":", 1)[0].lower()


class HostCheck:
    def __init__(self, app: ASGIApp, allowed_hosts: list[str]) -> None:
        self.app = app
        self.exact = frozenset(h.lower() for h in allowed_hosts if not h.startswith("*."))
        # "*.example.com" allows subdomains and, as people expect, example.com itself.
        self.suffixes = tuple(h[1:].lower() for h in allowed_hosts if h.startswith("*."))
        self.exact |= {suffix[1:] for suffix in self.suffixes}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] not in PROBES:
            host = ""
            for name, value in scope["headers"]:
                if name == b"host":
                    host = _host_only(value.decode("latin-1"))
                    break
            if host not in self.exact and not (self.suffixes and host.endswith(self.suffixes)):
                await _reject_host(send)
                return
        await self.app(scope, receive, send)


async def _reject_host(send: Send) -> None:
    body = b'{"errors":{"host":["is not allowed"]}}'
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
