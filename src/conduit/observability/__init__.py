"""Operating the app: logs, metrics, probes, request ids, host and proxy checks."""

from __future__ import annotations

from fastapi import FastAPI

from conduit.observability.health import router as health_router
from conduit.observability.lifecycle import Lifecycle
from conduit.observability.logs import configure_logging
from conduit.observability.metrics import ScrapeAccess
from conduit.observability.middleware import HostCheck, RequestObservability
from conduit.settings import Settings


def install(app: FastAPI, settings: Settings) -> None:
    """Adds probes and the middleware around everything create_app already set up."""
    configure_logging(settings)
    app.state.lifecycle = Lifecycle()
    app.state.metrics_access = ScrapeAccess(settings.metrics_networks)
    app.include_router(health_router)
    if settings.allowed_hosts and "*" not in settings.allowed_hosts:
        app.add_middleware(HostCheck, allowed_hosts=settings.allowed_hosts)
    app.add_middleware(RequestObservability, settings=settings)
    # Outermost, so the request id, logs and host check all see the real client address.
    if settings.trusted_proxies:
        # Imported only when used: importing uvicorn's package also loads its command line
        # (click, the reloaders), ~10% of `import conduit.app`, for apps under gunicorn,
        # a2wsgi or Lambda that never run uvicorn.
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
