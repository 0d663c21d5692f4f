"""What the freshness check costs: CPU per cached request where generations live.

Run: ``.venv/bin/python -m bench.freshness [--port 9210] [--seconds 8]``; needs PostgreSQL, Redis
and wrk (like the main benchmark).

1. In process: CPU microseconds per ``generations.read()`` of the three names a signed-in list
   needs, for each home: the process (a single-process baseline), the database (SQLite with no
   commit since the last check, SQLite right after another connection committed, PostgreSQL one
   request at a time) and Redis.
2. Servers: ``conduit serve`` (one worker, cache on) on SQLite without Redis, PostgreSQL without
   Redis, and PostgreSQL with Redis; wrk (4 connections) on cached ``/api/tags`` and
   ``/api/articles``; the server's CPU time per request from ``/proc/<pid>/stat``.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import resource
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.procs import conduit
from conduit.cache.generations import Generations, LocalGenerations
from conduit.cache.shared import RedisGenerations, pipelining
from conduit.cache.table import TableGenerations
from conduit.db import create_engine
from conduit.migrate import upgrade
from conduit.settings import Settings

NAMES = ["cg:articles", "cg:users", "cg:relations:7"]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _per_read(read: Callable[[], Awaitable[object]], count: int) -> float:
    for _ in range(50):
        await read()
    best = float("inf")
    for _ in range(3):
        start = _cpu()
        for _ in range(count):
            await read()
        best = min(best, (_cpu() - start) / count * 1e6)
    return best


async def in_process(pg_url: str, redis_url: str, folder: Path) -> dict[str, float]:
    results: dict[str, float] = {}
    local = LocalGenerations()
    results["process (baseline)"] = await _per_read(lambda: local.read(NAMES), 20000)

    sqlite_url = f"sqlite+aiosqlite:///{folder / 'fresh.db'}"
    engine = create_engine(Settings(_env_file=None, database_url=sqlite_url))
    await upgrade(engine)
    table: Generations = TableGenerations(engine)
    results["SQLite, no commit since the last check"] = await _per_read(
        lambda: table.read(NAMES), 20000
    )
    writer = sqlite3.connect(folder / "fresh.db", isolation_level=None)

    async def after_commit() -> object:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT OR REPLACE INTO cache_generations VALUES ('cg:x', 1)")
        writer.execute("COMMIT")
        return await table.read(NAMES)

    write_only = await _per_read(lambda: _commit_only(writer), 3000)
    results["SQLite, right after another commit"] = await _per_read(after_commit, 3000) - write_only
    writer.close()
    await table.close()
    await engine.dispose()

    pg_engine = create_async_engine(pg_url)
    await upgrade(pg_engine)
    pg_table: Generations = TableGenerations(pg_engine)
    results["PostgreSQL, one request at a time"] = await _per_read(
        lambda: pg_table.read(NAMES), 3000
    )
    await pg_table.close()
    await pg_engine.dispose()

    redis = Redis.from_url(redis_url, socket_timeout=5)
    shared = RedisGenerations(pipelining(redis), lambda: None, 3600)
    results["Redis, one request at a time"] = await _per_read(lambda: shared.read(NAMES), 5000)
    await shared.close()
    await redis.aclose()
    return results


async def _commit_only(writer: sqlite3.Connection) -> object:
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT OR REPLACE INTO cache_generations VALUES ('cg:x', 1)")
    writer.execute("COMMIT")
    return None


def _wrk(url: str, seconds: int) -> int:
    out = subprocess.run(
        ["wrk", "-t1", "-c4", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    found = re.search(r"(\d+) requests in", out)
    assert found, out
    return int(found.group(1))


def servers(port: int, seconds: int, pg_url: str, redis_url: str, folder: Path) -> list[str]:
    rows = []
    setups = [
        ("SQLite, no Redis", f"sqlite+aiosqlite:///{folder / 'served.db'}", None),
        ("PostgreSQL, no Redis", pg_url, None),
        ("PostgreSQL + Redis", pg_url, redis_url),
    ]
    for label, database, redis in setups:
        env = {
            "CONDUIT_DATABASE_URL": database,
            "CONDUIT_CACHE_ENABLED": "true",
            "CONDUIT_RATE_LIMIT_ENABLED": "false",
            "CONDUIT_ACCESS_LOG": "false",
            "CONDUIT_REDIS_URL": redis or "",
        }
        server = conduit(port, env, "", folder / f"{port}.log")
        try:
            base = f"http://127.0.0.1:{port}"
            for path in ("/api/tags", "/api/articles"):
                httpx.get(base + path, timeout=30)
                httpx.get(base + path, timeout=30)
                start = server.cpu_seconds()
                count = _wrk(base + path, seconds)
                micros = (server.cpu_seconds() - start) / count * 1e6
                rows.append(f"| {label} | `{path}` | {micros:.0f} |")
        finally:
            server.stop()
    return rows


async def _drop_pg(admin: str, url: str) -> None:
    engine = create_async_engine(admin, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        name = url.rsplit("/", 1)[1]
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await engine.dispose()


async def _fresh_pg(admin: str) -> str:
    name = f"conduit_fresh_{int(time.time())}"
    engine = create_async_engine(admin, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()
    return admin.rsplit("/", 1)[0] + f"/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=9210)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--pg", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/6")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="conduit-fresh-") as raw:
        folder = Path(raw)
        pg_url = asyncio.run(_fresh_pg(args.pg))
        try:
            micro = asyncio.run(in_process(pg_url, args.redis, folder))
            print("| generations held in | CPU us per read (3 names) |")
            print("|---|---:|")
            for label, micros in micro.items():
                print(f"| {label} | {micros:.1f} |")
            print()
            print("| server | cached request | server CPU us per request |")
            print("|---|---|---:|")
            for row in servers(args.port, args.seconds, pg_url, args.redis, folder):
                print(row)
        finally:
            asyncio.run(_drop_pg(args.pg, pg_url))


if __name__ == "__main__":
    main()
