"""The API's exception handlers: every error, whatever raised it, in the spec's error shape."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from conduit.errors import AppError, error_body, validation_errors
from conduit.jsonresponse import json_response
from conduit.observability.logs import get_logger
from conduit.slashes import slash_redirect

log = get_logger("conduit.access")


async def _app_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    if exc.status_code == 403:
        # The user and client address are added from the request context.
        log.warning("access.forbidden", resource=next(iter(exc.errors)))
    return json_response(error_body(exc.errors), exc.status_code, exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return json_response(error_body(validation_errors(exc.errors())), 422)


_HTTP_MESSAGES = {
    404: ("path", "not found"),
    405: ("method", "not allowed"),
    413: ("body", "is too large"),
}


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request, *always: str) -> str:
    """Every method served at this path (Starlette's 405 names only the first route's)."""
    routes = request.app.router.routes
    allowed = [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes
        )
    ]
    return ", ".join([*allowed, *always])


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    headers = dict(exc.headers or {})
    if status == 404 and (redirect := slash_redirect(request)) is not None:
        return redirect
    if status == 405 and request.method == "OPTIONS":
        # A plain OPTIONS (CORSMiddleware answers the preflights) asks what the path serves.
        return Response(status_code=204, headers={"Allow": _allowed_methods(request, "OPTIONS")})
    if status == 400 and exc.detail == "There was an error parsing the body":
        # FastAPI's 400 for a body it could not decode (e.g. invalid UTF-8): the spec says 422.
        return json_response(error_body({"body": ["is not valid JSON"]}), 422)
    if status == 405:
        headers["Allow"] = _allowed_methods(request)
    field, message = _HTTP_MESSAGES.get(status, ("request", str(exc.detail).lower()))
    return json_response(error_body({field: [message]}), status, headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
