"""OpenAPI declarations shared by routers: the error schema and the codes each route returns."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

_DESCRIPTIONS = {
    401: "Missing, invalid, expired or revoked token",
    403: "Not the owner of the resource",
    404: "Resource not found",
    409: "Already taken",
    413: "Request body too large",
    422: "Invalid input",
    429: "Too many requests",
    503: "Service temporarily unavailable",
}


class ErrorResponse(BaseModel):
    """``{"errors": {"<field>": ["<message>"]}}``"""

    errors: dict[str, list[str]]


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorResponse, "description": _DESCRIPTIONS[code]} for code in codes}
