"""uvicorn's httptools protocol with a deadline for the request head.

uvicorn closes a kept-alive connection that stays idle after a response (``timeout_keep_alive``),
but it has no deadline for a request *head*: a connection that opens and sends nothing, or sends
half a request line and stops, stays open for ever, and enough of them exhaust the process's file
descriptors. Here a head must be complete within ``CONDUIT_HEADER_TIMEOUT`` seconds of the
connection opening or of its first byte; otherwise the connection is closed. The body has its own
deadline in ``conduit.guard`` (it is read before the application runs).

``conduit serve`` passes this class to uvicorn (``http=``); gunicorn does through
``conduit.worker.UvicornWorker``.
"""

from __future__ import annotations

import asyncio
from functools import cache
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from conduit.settings import Settings

PROTOCOL = "conduit.server:HttpProtocol"


@cache
def header_timeout() -> float:
    # Once per process: uvicorn builds a protocol object per connection, from the environment
    # the server was started with (workers inherit it).
    return Settings().header_timeout


class HttpProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = header_timeout()
        self._head_deadline: asyncio.TimerHandle | None = None
        # Between requests (and before the first) the next bytes are a head; while a body is
        # read or a response is computed they are not, and no head deadline may run.
        self._awaiting_head = True

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()  # a connection that never sends a byte is closed too

    def data_received(self, data: bytes) -> None:
        # uvicorn cancels its keep-alive timer on any byte; a head that starts must then finish.
        if self._awaiting_head:
            self._arm()
        super().data_received(data)

    def on_message_begin(self) -> None:
        # A head starting in the same packet as the end of the previous request's body.
        self._arm()
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._awaiting_head = False
        self._disarm()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._awaiting_head = True
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._head_deadline is None:
            self._head_deadline = self.loop.call_later(self.header_timeout, self._head_too_slow)

    def _disarm(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if self.cycle is not None and not self.cycle.response_complete:
            # Bytes after a request (a stray CRLF, a pipelined head) while its response is being
            # computed: never cut that response; the keep-alive timer armed after it applies.
            return
        if not self.transport.is_closing():
            self.transport.close()
