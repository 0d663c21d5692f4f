"""Domain errors carry their HTTP status; one set of handlers renders every error the same way.

Every error body has the spec's shape ``{"errors": {"<field>": ["<message>"]}}`` and never echoes
what the client sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from conduit.jsonresponse import json_response
from conduit.observability.logs import get_logger
from conduit.slashes import slash_redirect

log = get_logger("conduit.access")


class AppError(Exception):
    status_code = 400

    def __init__(self, field: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{field} {message}")
        self.errors = {field: [message]}
        self.headers = headers


class Invalid(AppError):
    status_code = 422


class Unauthorized(AppError):
    status_code = 401

    def __init__(self, message: str = "is missing") -> None:
        super().__init__("token", message, {"WWW-Authenticate": "Token"})


class BadCredentials(AppError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__("credentials", "invalid")


class Forbidden(AppError):
    status_code = 403

    def __init__(self, resource: str) -> None:
        super().__init__(resource, "forbidden")


class NotFound(AppError):
    status_code = 404

    def __init__(self, resource: str) -> None:
        super().__init__(resource, "not found")


class Conflict(AppError):
    status_code = 409

    def __init__(self, field: str) -> None:
        super().__init__(field, "has already been taken")


class TooManyRequests(AppError):
    status_code = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "rate",
            f"limit exceeded, retry in {retry_after} seconds",
            {"Retry-After": str(retry_after)},
        )


class Unavailable(AppError):
    status_code = 503

    def __init__(self, resource: str = "service", message: str = "temporarily unavailable") -> None:
        super().__init__(resource, message, {"Retry-After": "1"})


def error_body(errors: dict[str, list[str]]) -> dict[str, Any]:
    return {"errors": errors}


def _message(error: dict[str, Any]) -> str:
    """A short, input-free message per pydantic error type (pydantic's own ones may quote input)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "conduit":
        return str(error.get("msg"))
    is_list = ctx.get("field_type") == "List"
    if kind in ("missing", "string_too_short", "too_short") and ctx.get("min_length", 1) <= 1:
        return "can't be blank"
    if kind in ("string_too_short", "too_short"):
        unit = "items" if is_list else "characters"
        return f"is too short (minimum is {ctx['min_length']} {unit})"
    if kind == "too_long" and is_list:
        return f"has too many items (maximum is {ctx['max_length']})"
    if kind in ("string_too_long", "too_long"):
        return f"is too long (maximum is {ctx['max_length']} characters)"
    if kind == "string_pattern_mismatch":
        return "is invalid"
    if kind.startswith("string_") or kind == "string_type":
        return "must be a string"
    if kind in ("list_type", "tuple_type"):
        return "must be a list"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "must be an integer"
    if kind == "greater_than_equal":
        return f"must be greater than or equal to {ctx['ge']}"
    if kind == "less_than_equal":
        return f"must be less than or equal to {ctx['le']}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "must be an object"
    if kind == "json_invalid":
        return "is not valid JSON"
    if kind == "value_error":
        return str(ctx.get("error", "is invalid"))
    return "is invalid"


def _field(loc: Sequence[Any]) -> str:
    # loc looks like ("body", "user", "email") or ("query", "limit"): report the innermost name.
    names = [str(part) for part in loc if isinstance(part, str)]
    if len(names) <= 1:
        return "body" if not names or names[0] == "body" else names[0]
    return names[-1]


def validation_errors(errors: Sequence[Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for error in errors:
        loc = error.get("loc", ())
        if error.get("type") == "json_invalid":
            field = "body"
        elif loc and loc[-1] in ("[key]",):
            field = _field(loc[:-1])
        else:
            field = _field(loc)
        message = _message(error)
        if message not in out.setdefault(field, []):
            out[field].append(message)
    return out


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
