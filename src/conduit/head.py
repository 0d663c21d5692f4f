"""HEAD answered wherever GET is: the same status and headers, no body (RFC 9110, 9.3.2).

FastAPI's API routes accept only the methods they declare, so ``HEAD /`` or ``HEAD /healthz``
was a 405 and broke uptime monitors. Rather than declaring every route twice, a HEAD request
is routed as GET and the body is dropped on its way out: a POST-only path still answers 405,
and preflights (OPTIONS) are untouched. ``Content-Length`` stays GET's, as the RFC allows.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            kind = message["type"]
            if kind.startswith("http.response.") and kind not in (
                "http.response.start",
                "http.response.trailers",
            ):
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        # The scope is changed in place (and put back) so that the middleware around this one
        # still sees the route the router stored in it, and logs the request as HEAD.
        scope["method"] = "GET"
        try:
            await self.app(scope, receive, headers_only)
        finally:
            scope["method"] = "HEAD"
