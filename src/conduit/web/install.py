"""Mounting the web application into the API's FastAPI app: one call from ``create_app``."""

from __future__ import annotations

import inspect
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ExceptionHandler

from conduit.errors import AppError, validation_errors
from conduit.resources import Resources
from conduit.settings import Settings
from conduit.slashes import slash_redirect
from conduit.web.bodies import BodyRenderer
from conduit.web.context import WebContext, open_context, served_over_https
from conduit.web.headers import SecurityHeaders
from conduit.web.pages import router
from conduit.web.templates import environment

STATIC = Path(__file__).parent / "static"


def _is_api(request: Request) -> bool:
    return request.url.path == "/api" or request.url.path.startswith("/api/")


def _page_errors(fallback: ExceptionHandler | None) -> ExceptionHandler:
    """Errors on pages become HTML pages; errors under /api keep the API's JSON handler."""

    async def handle(request: Request, exc: Exception) -> Response:
        # A plain OPTIONS asks what a path serves: the same empty answer for pages as for /api.
        if fallback is not None and (_is_api(request) or request.method == "OPTIONS"):
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
        elif isinstance(exc, RequestValidationError):
            # A page's path parameter out of range (e.g. a comment id beyond 64 bits): the same
            # 422 and messages as the API, as a page.
            status = 422
            messages = [
                f"{field} {message}"
                for field, items in validation_errors(exc.errors()).items()
                for message in items
            ]
        elif isinstance(exc, StarletteHTTPException):
            if exc.status_code == 404 and (redirect := slash_redirect(request)) is not None:
                return redirect
            status, messages = exc.status_code, []
        else:
            raise exc
        ctx: WebContext | None = getattr(request.state, "web", None)
        if ctx is None:
            # No page route ran (an unknown path): still show who is signed in.
            resources: Resources = request.app.state.resources
            uow = resources.unit_of_work()
            try:
                ctx = await open_context(request, resources, uow)
                page = ctx.render(
                    "error.html", status=status, status_code=status, messages=messages
                )
            finally:
                await uow.close()
        else:
            page = ctx.render("error.html", status=status, status_code=status, messages=messages)
        page.headers.update(headers)
        return page

    return handle


def install(app: FastAPI, settings: Settings) -> None:
    """Adds the pages, /static, the security headers and HTML error pages to ``app``."""
    # Rendered article bodies; its worker processes end with the app (``close`` in the lifespan).
    app.state.bodies = BodyRenderer.from_settings(settings)
    # Templates are read once; only a debugging server looks for edits (a stat per template per
    # page otherwise: ~1.5% of a page's CPU in py-spy).
    environment.auto_reload = settings.debug
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(
        SecurityHeaders,
        always_https=served_over_https("http", settings),
        hsts_seconds=settings.hsts_seconds,
    )
    for error in (AppError, RequestValidationError, StarletteHTTPException):
        app.add_exception_handler(error, _page_errors(app.exception_handlers.get(error)))
