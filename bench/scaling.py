"""First-page latency at 1 000 vs 100 000 articles, with the cache and on the database path."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Callable
from typing import TYPE_CHECKING

from bench import procs, wrk
from bench.bigdb import fill
from conduit.settings import Settings

if TYPE_CHECKING:
    from bench.__main__ import Bench

SIZES = (1_000, 100_000)
PAGES = {
    "list": ("/api/articles?limit=20&offset=0", False),
    "feed": ("/api/articles/feed?limit=20&offset=0", True),
    "tag filter": ("/api/articles?tag=tag3&limit=20&offset=0", False),
}


def measure_scaling(
    bench: Bench, admin: str, port: int, env: Callable[..., dict[str, str]]
) -> list[str]:
    from bench.__main__ import SECRET, fresh_pg

    latency: dict[tuple[str, int, bool], float] = {}
    for size in SIZES:
        print(f"scaling: {size:,} articles (direct inserts)", flush=True)
        url = fresh_pg(admin, f"{bench.args.pg_database}_{size}")
        database = url.replace("postgresql://", "postgresql+asyncpg://")
        server_env = env(database, None, False)
        subprocess.run(
            [str(procs.BIN / "conduit"), "migrate"],
            env={**os.environ, **server_env},
            check=True,
            capture_output=True,
        )
        settings = Settings(_env_file=None, secret_key=SECRET)  # type: ignore[call-arg]
        tokens = asyncio.run(fill(url, size, settings))
        for cached in (False, True):
            server_env = env(database, bench.args.redis if cached else None, cached)
            log = bench.log(f"scale{size}{cached}")
            server = procs.conduit(port + 2, server_env, "0", log)
            try:
                for name, (path, auth) in PAGES.items():
                    chosen = tokens if auth else []
                    lua = wrk.script(bench.folder, "scale", "GET", [path], chosen, [])
                    wrk.run(server.url, lua, 1, 1, "1")
                    result = wrk.run(server.url, lua, 3, 1, "1")
                    latency[(name, size, cached)] = result.p50_ms
                    print(
                        f"  {name:<12} cache {cached!s:<5} p50 {result.p50_ms:.2f} ms", flush=True
                    )
            finally:
                server.stop()
    small, big = SIZES
    lines = [
        f"| first page (p50, one connection) | cache | {small:,} articles | {big:,} articles "
        "| ratio | target |",
        "|---|---|---:|---:|---:|---|",
    ]
    for cached in (True, False):
        for name in PAGES:
            a, b = latency[(name, small, cached)], latency[(name, big, cached)]
            ratio = b / a if a else 0.0
            verdict = "met" if ratio <= 1.5 else "MISSED"
            lines.append(
                f"| {name} | {'on' if cached else 'off'} | {a:.2f} ms | {b:.2f} ms | {ratio:.2f}x "
                f"| <= 1.5x: {verdict} |"
            )
    return lines
