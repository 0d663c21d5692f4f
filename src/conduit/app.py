"""The application factory. Resources (engine, hasher, tokens) belong to the app's lifespan."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from redis.asyncio import Redis
from sqlalchemy import exc as sa_exc
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from conduit import __version__, devsecret
from conduit.api.admin import router as admin_router
from conduit.api.articles import router as articles_router
from conduit.api.comments import router as comments_router
from conduit.api.errors import install_error_handlers
from conduit.api.fastpath import CachedReads
from conduit.api.openapi import errors
from conduit.api.profiles import router as profiles_router
from conduit.api.routing import PREFIX as API_PREFIX
from conduit.api.tags import router as tags_router
from conduit.api.users import router as users_router
from conduit.apidocs import install as install_api_docs
from conduit.cache.core import build_cache
from conduit.cache.invalidator import CacheInvalidator
from conduit.db import (
    create_driver_reads,
    create_engine,
    create_read_sessionmaker,
    create_sessionmaker,
)
from conduit.deps import RequestBoundary
from conduit.errors import DATABASE_UNAVAILABLE, UNAVAILABLE_STATES, error_body
from conduit.guard import RequestGuard
from conduit.head import HeadAsGet
from conduit.jsonresponse import json_response
from conduit.observability import install as install_observability
from conduit.observability.checks import refuse_fatal
from conduit.observability.lifecycle import watch_termination
from conduit.observability.logs import get_logger
from conduit.ratelimit import RateLimiter
from conduit.resources import Resources
from conduit.runtime import tune_garbage_collector
from conduit.security import PasswordHasher, Tokens
from conduit.settings import Settings
from conduit.users.accounts import AccountReader
from conduit.web.install import install as install_web

DESCRIPTION = """The RealWorld "Conduit" API: users, profiles, articles, comments, favorites, tags.

Authenticate with the header `Authorization: Token <jwt>` (or `Bearer <jwt>`); the token comes
from registering (`POST /api/users`) or logging in (`POST /api/users/login`).
Every error has the body `{"errors": {"<field>": ["<message>"]}}`.
"""


def build_resources(settings: Settings) -> Resources:
    """What one application instance (or one command) owns; the caller closes it."""
    engine = create_engine(settings)
    redis = _redis(settings)
    cache = build_cache(settings, redis, engine)
    lite = engine.dialect.name == "sqlite"
    driver = create_driver_reads(engine, settings)
    return Resources(
        settings=settings,
        engine=engine,
        sessions=create_sessionmaker(engine, driver),
        reads=create_read_sessionmaker(engine, driver),
        driver=driver,
        hasher=PasswordHasher(settings),
        tokens=Tokens(settings),
        limiter=RateLimiter(settings, redis),
        redis=redis,
        cache=cache,
        invalidator=CacheInvalidator(cache) if cache is not None else None,
        # The account check of a cache hit on SQLite (elsewhere ``accounts`` does it).
        lookups=create_engine(settings, lookups=True) if cache is not None and lite else None,
        accounts=None if lite else AccountReader(engine.url),
    )


async def close_resources(resources: Resources) -> None:
    await resources.engine.dispose()
    if resources.lookups is not None:
        await resources.lookups.dispose()
    if resources.accounts is not None:
        await resources.accounts.close()
    if resources.driver is not None:
        await resources.driver.close()
    if resources.cache is not None:
        await resources.cache.close()
    if resources.redis is not None:
        await resources.redis.aclose()


def _redis(settings: Settings) -> Redis | None:
    if not settings.redis_url:
        return None
    # Short timeouts: a slow or dead Redis must degrade to the database, not stall requests.
    return Redis.from_url(
        settings.redis_url,
        socket_timeout=0.25,
        socket_connect_timeout=0.25,
        health_check_interval=30,
    )


async def _database_unavailable(_request: Request, _exc: Exception) -> Response:
    # Connection refused, pool exhausted, server gone: a fast, honest 503 instead of a 500.
    return json_response(
        error_body({"database": [DATABASE_UNAVAILABLE]}), 503, {"Retry-After": "1"}
    )


async def _database_error(request: Request, exc: Exception) -> Response:
    """asyncpg reports a connection that died under a statement, or a server refusing one more
    client, as a bare DBAPIError: that is the database being unavailable too (503). Any other
    database error is a bug: it stays a 500, with its traceback in the log."""
    assert isinstance(exc, sa_exc.DBAPIError)
    state = str(getattr(exc.orig, "sqlstate", None) or "")
    if exc.connection_invalidated or state.startswith(UNAVAILABLE_STATES):
        return await _database_unavailable(request, exc)
    raise exc


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    refuse_fatal(settings)
    settings, secret = devsecret.apply(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        resources = build_resources(settings)
        app.state.resources = resources
        tune_garbage_collector()
        app.state.bodies.start()
        try:
            with watch_termination(app.state.lifecycle):
                yield
        finally:
            await app.state.bodies.close()
            await close_resources(resources)

    app = FastAPI(
        title="Conduit API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        debug=settings.debug,
        # Served by conduit.apidocs from local assets (FastAPI's pages load them from a CDN).
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        # Conduit observes itself (conduit.observability: Prometheus, structured access log).
        # FastAPI's OpenTelemetry hooks would act only with a provider configured, yet look for
        # one on every request (~2% of a database-path request's CPU in py-spy): off.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
        # Any operation answers 503 while the database is unreachable.
        responses=errors(503),
        # Starlette's trailing-slash redirect builds its Location from the Host header; the 404
        # handlers redirect with a relative one instead (conduit.slashes).
        redirect_slashes=False,
    )
    install_error_handlers(app)
    # asyncpg lets a refused or timed-out connect through unwrapped (ConnectionRefusedError,
    # TimeoutError, a DNS gaierror): those are the database being unreachable too.
    for error in (
        sa_exc.OperationalError,
        sa_exc.InterfaceError,
        sa_exc.TimeoutError,
        ConnectionError,
        TimeoutError,
        socket.gaierror,
    ):
        app.add_exception_handler(error, _database_unavailable)
    app.add_exception_handler(sa_exc.DBAPIError, _database_error)

    # Added first, so it is the innermost middleware (everything added later wraps it): a request's
    # units of work close as its response starts, before that passes out through the others.
    app.add_middleware(RequestBoundary)
    if settings.cache_enabled:
        app.add_middleware(CachedReads)
    # Inside CORS, so that a 413 still carries the CORS headers a browser needs to read it.
    # Everything that may touch the database runs inside it, so only after the body has arrived.
    app.add_middleware(
        RequestGuard, max_body_bytes=settings.max_body_bytes, body_timeout=settings.body_timeout
    )
    wildcard = "*" in settings.cors_origins
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"] if wildcard else settings.cors_origins,
        # Credentials are never combined with a wildcard origin.
        allow_credentials=not wildcard,
        allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "X-Requested-With", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Retry-After"],
        max_age=600,
    )

    routers = (
        users_router,
        profiles_router,
        articles_router,
        comments_router,
        tags_router,
        admin_router,
    )
    for router in routers:
        app.include_router(router, prefix=API_PREFIX)
    install_api_docs(app)
    # The server-rendered pages, on the same services; /api never reads their session cookie.
    install_web(app, settings)

    app.add_middleware(HeadAsGet)
    install_observability(app, settings)
    if secret is not None and secret.created:  # `conduit serve` says so itself, every start
        get_logger("conduit").warning(secret.notice())
    return app
