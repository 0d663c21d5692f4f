"""Generations in Redis, shared by every process built from the same settings (workers, CLI).

Every request reads all the generations it needs with one ``MGET`` on the lean pipelining client
(``resp.py``); a write ``INCR``s after its commit.

Redis failing: a read that fails is served from the database, uncached, and this worker drops its
entries (it may have missed bumps). A *bump* that fails is owed: a background task replays it as a
bump of ``cg:all`` as soon as Redis answers again. A worker trusts its entries only while it has
reached Redis within the last ``LEASE`` seconds over the same connection (the same task pings
every ``HEARTBEAT``, so an idle worker keeps its lease): one that was cut off longer, or had to
reconnect (a restarted Redis closes every connection), drops them before serving any. What
remains: when Redis stalls without a restart for less than the lease and a bump times out
meanwhile, another worker may serve an entry that bump should have invalidated until the writer's
replay, at most ``HEARTBEAT`` after Redis answers again; if the writer dies before replaying,
until the entry's TTL. See docs/performance.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.asyncio.connection import Connection
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from conduit.cache.generations import ALL, FLOOR, fold, fresh_generation
from conduit.cache.outage import OutageLog
from conduit.cache.resp import Command, LeanRedis

log = logging.getLogger("conduit.cache")

REDIS_ERRORS = (RedisError, OSError, asyncio.TimeoutError)
LEASE = 1.0  # seconds without reaching Redis after which a worker's entries are dropped
HEARTBEAT = 0.25  # seconds between two background pings (and replays of owed bumps)


class Pipelining(Protocol):
    connections: int  # connections made so far (a change: the link to Redis was broken)

    async def pipeline(self, commands: Sequence[Command]) -> list[Any]: ...

    async def close(self) -> None: ...


class RedisPyPipelining:
    """For URLs the lean client does not speak (TLS, unix sockets): redis-py's own pipeline."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self.connections = 0  # redis-py's pool reconnects silently: only the lease applies

    async def pipeline(self, commands: Sequence[Command]) -> list[Any]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for command in commands:
                pipe.execute_command(*command)
            return list(await pipe.execute())

    async def close(self) -> None:
        return None


def pipelining(redis: Redis) -> Pipelining:
    pool = redis.connection_pool
    if pool.connection_class is not Connection:
        return RedisPyPipelining(redis)
    options = pool.connection_kwargs
    return LeanRedis(
        options.get("host", "localhost"),
        int(options.get("port", 6379)),
        int(options.get("db", 0)),
        options.get("username"),
        options.get("password"),
        float(options.get("socket_timeout") or 0.25),
    )


class RedisGenerations:
    in_database = False

    def __init__(self, redis: Pipelining, drop_entries: Callable[[], None], expiry: int) -> None:
        self._redis = redis
        self._drop_entries = drop_entries
        self._expiry = expiry
        self._last_contact = 0.0  # monotonic time Redis last answered
        self._connections = -1  # the client's connection count at that time
        self._owed = False  # a bump failed: cg:all must be bumped once Redis answers
        self._outage = OutageLog(log, "Redis")
        self._heartbeat: asyncio.Task[None] | None = None

    async def read(self, names: Sequence[str]) -> list[int] | None:
        self._keep_alive()
        try:
            (raw,) = await self._redis.pipeline([("MGET", *names, ALL)])
        except REDIS_ERRORS as exc:
            self._failed("read", exc)
            return None
        self._contact()
        values = [int(value) if value is not None else 0 for value in raw]
        if min(values) >= FLOOR:
            everything = values[-1]
            return [fold(everything, value) for value in values[:-1]]
        # Unknown (or restarted) counters get a fresh value; this read is not cached.
        await self._seed([n for n, v in zip([*names, ALL], values, strict=True) if v < FLOOR], True)
        return None

    async def _seed(self, names: list[str], only_new: bool) -> None:
        # Counters expire after a while: an expired one is seeded afresh, which only costs misses,
        # and keys made by requests for slugs that do not exist do not pile up.
        try:
            flag = ("NX",) if only_new else ()
            await self._redis.pipeline(
                [("SET", name, fresh_generation(), *flag, "EX", self._expiry) for name in names]
            )
        except REDIS_ERRORS as exc:
            self._failed("seed", exc)

    async def bump_in(self, session: AsyncSession, names: Sequence[str]) -> None:
        return None  # Redis is not part of the database transaction: bumped after the commit

    async def bump_after(self, names: Sequence[str]) -> None:
        await self.bump(names)

    async def bump(self, names: Sequence[str]) -> None:
        self._keep_alive()
        try:
            results = await self._redis.pipeline([("INCR", name) for name in names])
        except REDIS_ERRORS as exc:
            self._owed = True
            self._failed("bump", exc)
            return
        self._contact()
        restarted = [n for n, v in zip(names, results, strict=True) if v < FLOOR]
        if restarted:
            await self._seed(restarted, False)

    def _contact(self) -> None:
        now = time.monotonic()
        connections = self._redis.connections
        if now - self._last_contact > LEASE or connections != self._connections:
            # Cut off for longer than the lease, or reconnected (Redis restarted, the link
            # broke): another process's bump may have failed meanwhile.
            self._drop_entries()
        self._last_contact = now
        self._connections = connections
        self._outage.recovered()

    def _failed(self, what: str, exc: BaseException) -> None:
        self._outage.failed(what, exc)
        self._drop_entries()

    def _keep_alive(self) -> None:
        if self._heartbeat is None:
            self._heartbeat = asyncio.get_running_loop().create_task(self._beat())

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT)
            await self.settle()

    async def settle(self) -> bool:
        """Replays an owed bump (or pings); True when Redis answered."""
        try:
            if self._owed:
                (value,) = await self._redis.pipeline([("INCR", ALL)])
                if value < FLOOR:
                    await self._seed([ALL], False)
                self._owed = False
                log.warning("cache: replayed a bump that failed while Redis was unreachable")
            else:
                await self._redis.pipeline([("PING",)])
        except REDIS_ERRORS as exc:
            self._failed("ping", exc)
            return False
        self._contact()
        return True

    @property
    def owed(self) -> bool:
        return self._owed

    async def close(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
            self._heartbeat = None
        if self._owed and not await self.settle():
            log.error(
                "cache: a write could not be announced to Redis; "
                "run `conduit cache clear` once Redis is reachable"
            )
        await self._redis.close()
