"""Fast JSON responses (orjson) with the charset the spec asks for."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

JSON_MEDIA_TYPE = "application/json; charset=utf-8"


def json_response(
    content: Any, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(orjson.dumps(content), status_code, headers, JSON_MEDIA_TYPE)


def raw_json_response(
    body: bytes, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """For bodies already serialised (a cache hit): no parse, no re-encode."""
    return Response(body, status_code, headers, JSON_MEDIA_TYPE)
