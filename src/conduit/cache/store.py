"""Where the read cache keeps things: entries in this process, generations where every worker sees
them (Redis when configured, else this process).

An entry is stored with the generations of everything it was computed from, read *before* the
database was queried. It is served only while those generations are unchanged, so a write (which
bumps them after its commit) makes every older entry unusable in every worker at once, and an
entry computed concurrently with a write can never outlive it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.asyncio.connection import Connection
from redis.exceptions import RedisError

from conduit.cache.resp import Command, LeanRedis

log = logging.getLogger("conduit.cache")

# Generations start at the wall clock in nanoseconds (about 1.7e18), never at 0: when Redis loses
# its keys (restart, eviction, FLUSHDB), a fresh counter cannot land on a value an old entry holds.
# Readers refuse values below the floor (a counter that restarted from INCR on a missing key).
FLOOR = 1 << 40

REDIS_ERRORS = (RedisError, OSError, asyncio.TimeoutError)


def fresh_generation() -> int:
    return time.time_ns()


class Generations(Protocol):
    async def read(self, names: Sequence[str]) -> list[int] | None:
        """Current generations, or None when they cannot be trusted right now (do not cache)."""

    async def bump(self, names: Sequence[str]) -> None: ...


class LocalGenerations:
    """Counters of a single process: right only when one process serves (no Redis)."""

    def __init__(self) -> None:
        self._values: dict[str, int] = {}
        self._start = fresh_generation()

    async def read(self, names: Sequence[str]) -> list[int] | None:
        get, start = self._values.get, self._start
        return [get(name, start) for name in names]

    async def bump(self, names: Sequence[str]) -> None:
        for name in names:
            self._values[name] = self._values.get(name, self._start) + 1


class Pipelining(Protocol):
    async def pipeline(self, commands: Sequence[Command]) -> list[Any]: ...

    async def close(self) -> None: ...


class RedisPyPipelining:
    """For URLs the lean client does not speak (TLS, unix sockets): redis-py's own pipeline."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

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
    """Counters shared by every worker through one Redis; one MGET per request reads them all."""

    def __init__(self, redis: Pipelining, on_failure: Callable[[], None], expiry: int) -> None:
        self._redis = redis
        self._on_failure = on_failure
        self._expiry = expiry

    async def read(self, names: Sequence[str]) -> list[int] | None:
        try:
            (raw,) = await self._redis.pipeline([("MGET", *names)])
        except REDIS_ERRORS as exc:
            self._failed("read", exc)
            return None
        values = [int(value) if value is not None else 0 for value in raw]
        if min(values) >= FLOOR:
            return values
        # Unknown (or restarted) counters get a fresh value; this read is not cached.
        await self._seed([n for n, v in zip(names, values, strict=True) if v < FLOOR], True)
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

    async def bump(self, names: Sequence[str]) -> None:
        try:
            results = await self._redis.pipeline([("INCR", name) for name in names])
        except REDIS_ERRORS as exc:
            # Other workers cannot learn of this write until their entries expire (TTL).
            self._failed("bump", exc)
            return
        restarted = [n for n, v in zip(names, results, strict=True) if v < FLOOR]
        if restarted:
            await self._seed(restarted, False)

    def _failed(self, what: str, exc: BaseException) -> None:
        log.warning("cache: Redis %s failed (%s); serving from the database", what, exc)
        self._on_failure()


class LocalEntries:
    """A bounded LRU of entries with a time-to-live, each tagged with its generations."""

    def __init__(self, max_entries: int, ttl_seconds: float) -> None:
        self._items: OrderedDict[str, tuple[float, Sequence[int], Any]] = OrderedDict()
        self._max = max_entries
        self._ttl = ttl_seconds

    def get(self, key: str, generations: Sequence[int]) -> Any:
        item = self._items.get(key)
        if item is None:
            return None
        expires, tagged, value = item
        if tagged != generations or expires < time.monotonic():
            return None
        self._items.move_to_end(key)
        return value

    def put(self, key: str, generations: Sequence[int], value: Any) -> None:
        self._items[key] = (time.monotonic() + self._ttl, list(generations), value)
        self._items.move_to_end(key)
        while len(self._items) > self._max:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
