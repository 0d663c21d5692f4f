"""The ceiling: a raw ASGI app answering the benchmark's requests with Conduit's own bytes.

It replays responses captured from Conduit (method + path -> status, body), from memory, so the
difference to Conduit is exactly the cost of Conduit's work on the same server stack.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson

_CONTENT_TYPE = (b"content-type", b"application/json; charset=utf-8")


def _load() -> dict[tuple[str, str], tuple[int, bytes]]:
    source = os.environ.get("BENCH_RESPONSES")
    if not source:
        return {}
    captured = orjson.loads(Path(source).read_bytes())
    return {
        (item["method"], item["path"]): (item["status"], item["body"].encode()) for item in captured
    }


RESPONSES = _load()
NOT_FOUND = (404, b'{"errors":{"path":["not found"]}}')


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    if scope["method"] in ("POST", "PUT"):
        while (await receive()).get("more_body"):
            pass
    if scope["method"] == "POST":
        # Writes: one captured answer per kind ("comments", "favorite") serves every path.
        target = scope["path"].rsplit("/", 1)[1]
    else:
        target = scope["path"]
        if scope["query_string"]:
            target += "?" + scope["query_string"].decode("latin-1")
    status, body = RESPONSES.get((scope["method"], target), NOT_FOUND)
    headers = [(b"content-length", str(len(body)).encode()), _CONTENT_TYPE]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
