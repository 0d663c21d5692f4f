"""Mounting the web application into the API's FastAPI app: one call from ``create_app``."""

from __future__ import annotations

import inspect
from pathlib import Path

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ExceptionHandler

from conduit.deps import get_resources
from conduit.errors import AppError
from conduit.settings import Settings
from conduit.web.bodies import BodyRenderer
from conduit.web.context import WebContext, served_over_https, web_context
from conduit.web.headers import SecurityHeaders
from conduit.web.pages import router

STATIC = Path(__file__).parent / "static"


def _is_api(request: Request) -> bool:
    return request.url.path == "/api" or request.url.path.startswith("/api/")


def _page_errors(fallback: ExceptionHandler | None) -> ExceptionHandler:
    """Errors on pages become HTML pages; errors under /api keep the API's JSON handler."""

    async def handle(request: Request, exc: Exception) -> Response:
        if _is_api(request) and fallback is not None:
            outcome = fallback(request, exc)  # type: ignore[arg-type]
            response = await outcome if inspect.isawaitable(outcome) else outcome
            assert isinstance(response, Response)
            return response
        headers: dict[str, str] = {}
        if isinstance(exc, AppError):
            status, messages = (
                exc.status_code,
                [f"{field} {message}" for field, items in exc.errors.items() for message in items],
            )
            headers = dict(exc.headers or {})  # e.g. Retry-After on 429 and 503
        elif isinstance(exc, StarletteHTTPException):
            status, messages = exc.status_code, []
        else:
            raise exc
        ctx: WebContext | None = getattr(request.state, "web", None)
        if ctx is None:
            # No page route ran (an unknown path): still show who is signed in.
            resources = get_resources(request)
            async with resources.sessions() as db:
                ctx = await web_context(request, resources, db)
                page = ctx.render(
                    "error.html", status=status, status_code=status, messages=messages
                )
        else:
            page = ctx.render("error.html", status=status, status_code=status, messages=messages)
        page.headers.update(headers)
        return page

    return handle


def install(app: FastAPI, settings: Settings) -> None:
    """Adds the pages, /static, the security headers and HTML error pages to ``app``."""
    # Rendered article bodies; its worker processes end with the app (``close`` in the lifespan).
    app.state.bodies = BodyRenderer.from_settings(settings)
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(
        SecurityHeaders,
        always_https=served_over_https("http", settings),
        hsts_seconds=settings.hsts_seconds,
    )
    for error in (AppError, StarletteHTTPException):
        app.add_exception_handler(error, _page_errors(app.exception_handlers.get(error)))
