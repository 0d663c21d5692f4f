"""A minimal pipelining Redis client for the cache's generation reads (one per request).

redis-py's asyncio client costs about as much per command as the rest of a cached request; this
one writes commands straight to one connection and matches replies to waiters in order (Redis
answers in order), which is all a counter read needs. Timeouts and a lost connection raise
``OSError``/``TimeoutError``, which the cache turns into a database read.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence
from typing import Any

from redis.exceptions import ResponseError

Command = Sequence[str | int | bytes]


def encode(command: Command) -> bytes:
    parts = [b"*%d\r\n" % len(command)]
    for arg in command:
        raw = arg if isinstance(arg, bytes) else str(arg).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(raw), raw))
    return b"".join(parts)


class _Incomplete(Exception):
    pass


def parse(buffer: bytes | bytearray, pos: int) -> tuple[Any, int]:
    """One reply from ``buffer[pos:]``: (value, next position), or _Incomplete."""
    end = buffer.find(b"\r\n", pos)
    if end < 0:
        raise _Incomplete
    kind, line = buffer[pos : pos + 1], bytes(buffer[pos + 1 : end])
    pos = end + 2
    if kind == b"$":
        size = int(line)
        if size < 0:
            return None, pos
        if len(buffer) < pos + size + 2:
            raise _Incomplete
        return bytes(buffer[pos : pos + size]), pos + size + 2
    if kind == b"*":
        count = int(line)
        if count < 0:
            return None, pos
        items = []
        for _ in range(count):
            item, pos = parse(buffer, pos)
            items.append(item)
        return items, pos
    if kind == b":":
        return int(line), pos
    if kind == b"+":
        return line, pos
    if kind == b"-":
        return ResponseError(line.decode(errors="replace")), pos
    raise ConnectionError(f"unexpected Redis reply type {kind!r}")


class _Protocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiters: deque[asyncio.Future[Any]] = deque()
        self.closed = False
        # Commands of every request that asks during one event-loop iteration leave in one write:
        # on a busy server that turns a send() per request into a send() per batch.
        self.pending: list[bytes] = []

    def queue(self, data: bytes) -> None:
        if not self.pending:
            asyncio.get_running_loop().call_soon(self.flush)
        self.pending.append(data)

    def flush(self) -> None:
        data, self.pending = b"".join(self.pending), []
        if self.transport is not None and not self.closed:
            self.transport.write(data)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        pos = 0
        try:
            while pos < len(self.buffer):
                value, pos = parse(self.buffer, pos)
                waiter = self.waiters.popleft()
                if not waiter.done():  # a waiter that timed out still owns its reply
                    waiter.set_result(value)
        except _Incomplete:
            pass
        except (ConnectionError, ValueError, IndexError) as exc:
            self.connection_lost(exc)
            return
        del self.buffer[:pos]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_exception(ConnectionError(f"Redis connection lost: {exc}"))
        if self.transport is not None:
            self.transport.close()


def _settle(waiters: list[asyncio.Future[Any]]) -> None:
    """After a failed wait, the waiters not awaited yet must not log "Future exception was never
    retrieved": their exceptions are taken here, and the unanswered ones are cancelled (their
    replies, if any arrive, are still consumed in order by ``data_received``)."""
    for waiter in waiters:
        if not waiter.done():
            waiter.cancel()
        elif not waiter.cancelled():
            waiter.exception()


class LeanRedis:
    def __init__(
        self,
        host: str,
        port: int,
        db: int = 0,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 0.25,
    ) -> None:
        self._address = (host, port)
        self._hello: list[Command] = []
        if password:
            self._hello.append(("AUTH", username, password) if username else ("AUTH", password))
        if db:
            self._hello.append(("SELECT", db))
        self._timeout = timeout
        self._protocol: _Protocol | None = None
        self._connecting = asyncio.Lock()
        # Connections made so far: a change tells the cache its link to Redis was broken
        # (Redis restarted, the network failed), so bumps may have been missed meanwhile.
        self.connections = 0

    async def _connected(self) -> _Protocol:
        protocol = self._protocol
        if protocol is not None and not protocol.closed:
            return protocol
        async with self._connecting:
            if self._protocol is None or self._protocol.closed:
                loop = asyncio.get_running_loop()
                _, fresh = await asyncio.wait_for(
                    loop.create_connection(_Protocol, *self._address), self._timeout
                )
                self._protocol = fresh
                self.connections += 1
                if self._hello:
                    for reply in await self._send(fresh, self._hello):
                        if isinstance(reply, Exception):
                            fresh.connection_lost(reply)
                            raise reply
            return self._protocol

    async def _send(self, protocol: _Protocol, commands: Sequence[Command]) -> list[Any]:
        loop = asyncio.get_running_loop()
        waiters = [loop.create_future() for _ in commands]
        protocol.waiters.extend(waiters)
        protocol.queue(b"".join(encode(c) for c in commands))
        try:
            async with asyncio.timeout(self._timeout):
                return [await waiter for waiter in waiters]
        except TimeoutError:
            protocol.connection_lost(TimeoutError("Redis did not answer in time"))
            _settle(waiters)
            raise
        except BaseException:
            _settle(waiters)
            raise

    async def pipeline(self, commands: Sequence[Command]) -> list[Any]:
        """Replies in order; an error reply raises (after all replies arrived)."""
        replies = await self._send(await self._connected(), commands)
        for reply in replies:
            if isinstance(reply, Exception):
                raise reply
        return replies

    async def close(self) -> None:
        if self._protocol is not None and self._protocol.transport is not None:
            self._protocol.transport.close()
        self._protocol = None
