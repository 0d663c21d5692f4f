"""CPU per generation read: the lean pipelining client (``cache/resp.py``) against redis-py with
hiredis, on a real Redis. Run: ``.venv/bin/python -m bench.redis_client [--redis URL]``.

Each client performs the cache's per-request operation (one MGET of four counters) in two
shapes: one request at a time, and 16 concurrent requests (a busy worker, where the lean client
sends the commands of one event-loop iteration in one write). The figure is this process's CPU
time (user + system) per operation, taken from ``/proc`` through ``resource``, best of 5 runs.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
from collections.abc import Awaitable, Callable

import uvloop
from redis.asyncio import Redis

from conduit.cache.resp import LeanRedis

KEYS = ("cg:articles", "cg:users", "cg:relations:7", "cg:all")
Operation = Callable[[], Awaitable[object]]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _measure(operation: Operation, count: int, concurrency: int) -> float:
    """Microseconds of CPU per operation."""

    async def worker(n: int) -> None:
        for _ in range(n):
            await operation()

    for _ in range(200):  # warm up connections and caches
        await operation()
    start = _cpu()
    await asyncio.gather(*(worker(count // concurrency) for _ in range(concurrency)))
    return (_cpu() - start) / count * 1e6


async def run(url: str, count: int) -> dict[tuple[str, int], float]:
    redis = Redis.from_url(url, max_connections=32, socket_timeout=5.0)
    options = redis.connection_pool.connection_kwargs
    host, port = options.get("host", "localhost"), int(options.get("port", 6379))
    lean = LeanRedis(host, port, int(options.get("db", 0)), timeout=5.0)
    await redis.mset(dict.fromkeys(KEYS, 1 << 60))

    async def with_lean() -> object:
        return await lean.pipeline([("MGET", *KEYS)])

    async def with_redis_py() -> object:
        return await redis.mget(KEYS)

    results: dict[tuple[str, int], float] = {}
    try:
        for concurrency in (1, 16):
            for name, operation in (("lean", with_lean), ("redis-py+hiredis", with_redis_py)):
                runs = [await _measure(operation, count, concurrency) for _ in range(5)]
                results[name, concurrency] = min(runs)
    finally:
        await lean.close()
        await redis.aclose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--count", type=int, default=4000)
    args = parser.parse_args()
    from redis.utils import HIREDIS_AVAILABLE

    results = uvloop.run(run(args.redis, args.count))
    print(f"hiredis parser in use by redis-py: {HIREDIS_AVAILABLE}")
    print("| client | concurrency | CPU us per MGET |")
    print("|---|---:|---:|")
    for (name, concurrency), micros in results.items():
        print(f"| {name} | {concurrency} | {micros:.1f} |")
    for concurrency in (1, 16):
        ratio = results["redis-py+hiredis", concurrency] / results["lean", concurrency]
        print(f"concurrency {concurrency}: redis-py+hiredis costs {ratio:.2f}x the lean client")


if __name__ == "__main__":
    main()
