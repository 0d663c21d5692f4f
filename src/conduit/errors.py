"""Domain errors carry their HTTP status (no web framework here: services raise them, and
``conduit.api.errors`` renders every one the same way).

Every error body has the spec's shape ``{"errors": {"<field>": ["<message>"]}}`` and never echoes
what the client sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


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


class Suspended(AppError):
    """An account a moderator suspended: authenticated, but it may not act."""

    status_code = 403

    def __init__(self) -> None:
        super().__init__("account", "suspended")


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


# A database that cannot serve now, whichever path met it (SQLAlchemy, the driver-level reads):
# one answer, and the SQLSTATE classes that mean it (connection exceptions, insufficient
# resources such as "too many clients", operator intervention or shutdown).
DATABASE_UNAVAILABLE = "is unavailable, try again shortly"
UNAVAILABLE_STATES = ("08", "53", "57P")


def database_unavailable() -> Unavailable:
    return Unavailable("database", DATABASE_UNAVAILABLE)


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


class AlreadyReported(AppError):
    """A member reporting the same item twice: one report per member per item."""

    status_code = 409

    def __init__(self) -> None:
        super().__init__("report", "has already been filed by you for this item")
