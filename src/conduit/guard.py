"""A pure ASGI middleware (no BaseHTTPMiddleware: it sits on every request) that

* refuses request bodies over ``max_body_bytes`` with 413 before any handler parses them: a
  declared Content-Length is checked up front, a chunked body is counted as it streams in;
* marks responses that may carry credentials or private data ``Cache-Control: no-store``: any
  request with an Authorization header, and every write (register/login answers carry a token).
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conduit.jsonresponse import json_response

_READS = frozenset({"GET", "HEAD", "OPTIONS"})
_NO_STORE = (b"cache-control", b"no-store")


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` mid-stream; the app's HTTPException handler renders the 413."""

    def __init__(self) -> None:
        super().__init__(413)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


class RequestGuard:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes):
            status = 413 if declared.isdigit() else 400
            field, message = ("body", "is too large") if status == 413 else ("body", "is invalid")
            response = json_response({"errors": {field: [message]}}, status)
            response.headers["Connection"] = "close"
            await response(scope, receive, send)
            return
        limit = self.max_body_bytes
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        no_store = scope["method"] not in _READS or _header(scope, b"authorization") is not None
        started = False

        async def marked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if no_store:
                    headers = [h for h in message.get("headers", []) if h[0] != _NO_STORE[0]]
                    headers.append(_NO_STORE)
                    message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, counted_receive, marked_send)
        except BodyTooLarge:
            # Read outside a handler that renders HTTPException (e.g. by another middleware).
            if started:
                raise
            response = json_response({"errors": {"body": ["is too large"]}}, 413)
            await response(scope, receive, marked_send)
