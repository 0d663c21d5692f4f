"""A pure ASGI middleware (no BaseHTTPMiddleware: it sits on every request) that

* reads a request's whole body **before** the application sees the request, and then replays it.
  No route, dependency or session lookup runs while a body is still arriving, so a client that
  dribbles a body in (or never finishes it) holds no database connection and no transaction: it
  holds a buffer of at most ``max_body_bytes``, for at most ``body_timeout`` seconds, and then gets
  408 and a closed connection;
* refuses request bodies over ``max_body_bytes`` with 413 before anything parses them: a declared
  Content-Length is checked up front, a chunked body is counted as it streams in;
* marks responses that may carry credentials or private data ``Cache-Control: no-store``: any
  request with an Authorization header, and every write (register/login answers carry a token).

Reading the head of a request in time is the server's part (``conduit.server``).
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conduit.jsonresponse import json_response

_READS = frozenset({"GET", "HEAD", "OPTIONS"})
_NO_STORE = (b"cache-control", b"no-store")


class _BodyTooLarge(Exception):
    pass


class _ClientGone(Exception):
    pass


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def _has_body(scope: Scope, declared: bytes | None) -> bool:
    # HTTP/1.1: a request has a body only when it says so (RFC 9112 §6.3).
    if declared is not None:
        return declared != b"0"
    return _header(scope, b"transfer-encoding") is not None


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` for the app: the buffered body first, then whatever the server says next
    (a disconnect, once the response is sent)."""
    delivered = False

    async def replayed() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


class RequestGuard:
    def __init__(self, app: ASGIApp, max_body_bytes: int, body_timeout: float = 30.0) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        no_store = scope["method"] not in _READS or _header(scope, b"authorization") is not None

        async def marked_send(message: Message) -> None:
            if message["type"] == "http.response.start" and no_store:
                headers = [h for h in message.get("headers", []) if h[0] != _NO_STORE[0]]
                headers.append(_NO_STORE)
                message = {**message, "headers": headers}
            await send(message)

        declared = _header(scope, b"content-length")
        if declared is not None and not declared.isdigit():
            await _refuse(scope, receive, marked_send, 400, "is invalid")
            return
        if declared is not None and int(declared) > self.max_body_bytes:
            await _refuse(scope, receive, marked_send, 413, "is too large")
            return
        if _has_body(scope, declared):
            try:
                async with asyncio.timeout(self.body_timeout):
                    body = await self._read_body(receive)
            except _BodyTooLarge:
                await _refuse(scope, receive, marked_send, 413, "is too large")
                return
            except TimeoutError:
                await _refuse(scope, receive, marked_send, 408, "was not received in time")
                return
            except _ClientGone:
                return  # nobody is left to answer
            receive = _replay(body, receive)
        # Anonymous reads pass straight through: no wrapper on their hot path.
        await self.app(scope, receive, marked_send if no_store else send)

    async def _read_body(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _ClientGone()
            chunk: bytes = message.get("body", b"")
            received += len(chunk)
            if received > self.max_body_bytes:
                raise _BodyTooLarge()
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, message: str) -> None:
    # The rest of the body is never read: the connection closes after this answer instead of
    # being kept for another request that could only start after it.
    response = json_response({"errors": {"body": [message]}}, status, {"Connection": "close"})
    await response(scope, receive, send)
