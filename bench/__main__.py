"""`uv run python -m bench`: the whole benchmark in one command (see docs/performance.md).

`--smoke` runs the same pipeline for a few seconds on SQLite (no PostgreSQL, no Redis): it checks
that the benchmark works, not how fast anything is.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

from tests.databases import create_database

from bench import procs, wrk
from bench.capture import capture
from bench.hostile import hostile_run
from bench.report import Report
from bench.scaling import measure_scaling
from bench.scenarios import Scenario, build, pages
from bench.seed import PASSWORD, SMOKE, Size, World, seed
from bench.web import session_cookies

RESULTS = Path(__file__).resolve().parent / "results"
SECRET = "bench-secret-" + "s" * 40


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="a few seconds on SQLite")
    parser.add_argument("--duration", type=float, default=10, help="seconds per scenario")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warmup per scenario")
    parser.add_argument("--extra-duration", type=float, default=5, help="seconds, other runs")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--port", type=int, default=0, help="first of three ports (default: free ones)"
    )
    parser.add_argument(
        "--pg", default="postgresql://postgres@127.0.0.1:5432/postgres", help="admin URL"
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/6", help="flushed first")
    parser.add_argument(
        "--only", default="", help="comma-separated: main,uncached,two,login,scale,hostile"
    )
    parser.add_argument(
        "--pg-database", default="conduit_bench", help="benchmark database (dropped first)"
    )
    parser.add_argument("--output", type=Path, default=None)
    return parser.parse_args()


def _env(database: str, redis: str | None, cache: bool = True) -> dict[str, str]:
    return {
        "CONDUIT_DATABASE_URL": database,
        "CONDUIT_REDIS_URL": redis or "",
        "CONDUIT_SECRET_KEY": SECRET,
        "CONDUIT_CACHE_ENABLED": "true" if cache else "false",
        "CONDUIT_RATE_LIMIT_ENABLED": "false",
        "CONDUIT_DB_ECHO": "false",
        # More connections than wrk opens: overflow connections are opened and closed per request.
        "CONDUIT_DB_POOL_SIZE": "20",
    }


def fresh_pg(admin: str, name: str) -> str:
    """An empty PostgreSQL database (the same helper as the tests and .ci/hurl.sh use)."""
    return create_database(admin, name)


class Bench:
    def __init__(self, args: argparse.Namespace, folder: Path) -> None:
        self.args = args
        self.folder = folder
        self.warmup = 0.0 if args.smoke else args.warmup
        self.duration = 1.0 if args.smoke else args.duration
        self.extra = 1.0 if args.smoke else args.extra_duration

    def measure(
        self,
        server: procs.Server,
        s: Scenario,
        tokens: list[str],
        seconds: float,
        cores: str = "1",
        label: str = "",
    ) -> wrk.Result:
        """One scenario; ``tokens`` are API tokens (session cookies for a page scenario)."""
        credentials = s.ordered_tokens or (tokens if s.authenticated else [])

        def script(start: int) -> Path:
            return wrk.script(
                self.folder,
                f"{s.name}_{start}" if start else s.name,
                s.method,
                s.paths,
                credentials,
                [s.body] if s.body is not None else [],
                cookie=s.web,
                ordered=s.ordered_tokens is not None,
                start=start,
            )

        lua = script(0)
        if s.web and s.read and self.warmup:
            # Every page once first: the steady state of a process serving them. An article
            # body's HTML is rendered once per process and kept (web/bodies.py: ~0.5 ms of CPU
            # per 2 000-character body, in the Markdown worker); a timed warmup leaves some of
            # the 500 articles unseen, whose first views would then fall in the measured window
            # at random (up to 0.5 ms per page on a 5 s run). The API never renders a body.
            _visit_each(server.url, s.paths)
        if self.warmup:
            # Ordered pairs: the warmup sends them from half-way, the measured run from the
            # start, so no measured request repeats one the warmup sent.
            warm = script(len(s.paths) // 2) if s.ordered_tokens else lua
            wrk.run(server.url, warm, self.warmup, self.args.connections, cores)
        elif s.read:
            # No warmup (the smoke run): one request first, so that a one-time start-up (the
            # Markdown worker behind the first article page) does not fill the measured second.
            _first(server.url, s, credentials)
        before = server.cpu_seconds()
        result = wrk.run(server.url, lua, seconds, self.args.connections, cores)
        used = server.cpu_seconds() - before
        result = replace(result, cpu_us=1e6 * used / result.requests if result.requests else 0.0)
        print(
            f"  {label or s.label:<24} {result.rps:>9,.0f} req/s  p50 {result.p50_ms:6.2f} ms  "
            f"p99 {result.p99_ms:6.2f} ms  errors {result.errors}  cpu {result.cpu_us:6.0f} us/req",
            flush=True,
        )
        return result

    def log(self, name: str) -> Path:
        return self.folder / f"{name}.log"


def _visit_each(base: str, paths: list[str]) -> None:
    for path in dict.fromkeys(paths):
        with urllib.request.urlopen(base + path, timeout=60) as response:  # the local server
            response.read()


def _first(base: str, s: Scenario, credentials: list[str]) -> None:
    headers = {}
    if s.authenticated and credentials:
        headers = (
            {"Cookie": credentials[0]} if s.web else {"Authorization": f"Token {credentials[0]}"}
        )
    with urllib.request.urlopen(  # the benchmark's own local server
        urllib.request.Request(base + s.paths[0], headers=headers), timeout=60
    ) as response:
        response.read()


def main() -> None:
    args = _arguments()
    wrk.ensure_wrk()
    folder = Path(tempfile.mkdtemp(prefix="conduit-bench-"))
    bench = Bench(args, folder)
    everything = {"main", "uncached", "two", "login", "scale", "hostile"}
    only = set(args.only.split(",")) if args.only else everything
    if args.smoke:
        database, redis, size = f"sqlite+aiosqlite:///{folder / 'bench.db'}", None, SMOKE
        # The smoke run checks the main pipeline and the database path (API and pages), and
        # the hostile one when asked for.
        only = (only & {"main", "uncached", "hostile"}) if args.only else {"main", "uncached"}
    else:
        database = fresh_pg(args.pg, args.pg_database).replace(
            "postgresql://", "postgresql+asyncpg://"
        )
        redis, size = args.redis, Size()
        subprocess.run(["redis-cli", "-u", redis, "FLUSHDB"], check=True, capture_output=True)
    started = time.monotonic()
    full = "PostgreSQL + Redis"
    report = Report(
        setup="SQLite, no Redis (smoke run: tiny seed, 1 s per scenario)" if args.smoke else full,
        header=[
            f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.node()} "
            f"({os.cpu_count()} cores, Python {platform.python_version()}); "
            f"{'SMOKE (SQLite, no Redis, tiny seed, 1 s)' if args.smoke else full}; "
            f"{args.connections} connections, {bench.warmup:g} s warmup + {bench.duration:g} s "
            "per scenario; server on core 0, wrk on core 1.",
        ],
    )
    port = args.port or procs.free_port_run(3)
    print(f"seeding through the API ({size})", flush=True)
    server = procs.conduit(port, _env(database, redis), "0", bench.log("conduit"))
    try:
        world: World = asyncio.run(seed(server.url, size))
        scenarios = build(world, size.articles)
        report.scenarios = scenarios
        tokens = [u["token"] for u in world.users]
        cookies = asyncio.run(session_cookies(server.url, world.users))
        if "main" in only:
            main_run(bench, server, port, report, scenarios, tokens)
            # The pages through the same cache (issue 9): typed entries, rendered per request.
            report.pages = pages(world)
            for s in report.pages:
                chosen = cookies if s.authenticated else []
                report.cached_pages[s.name] = bench.measure(server, s, chosen, bench.duration)
    finally:
        server.stop()
    if "uncached" in only:
        # Issue 12's run: every API scenario (the other half of the fresh favorites) and the
        # pages, cache off; CPU per request against the best peer's.
        print("conduit, cache disabled (the database path)", flush=True)
        report.database_path = build(world, size.articles, half=1) + pages(world)
        server = procs.conduit(port, _env(database, redis, False), "0", bench.log("uncached"))
        try:
            for s in report.database_path:
                chosen = cookies if s.web else tokens
                report.uncached[s.name] = bench.measure(server, s, chosen, bench.extra)
        finally:
            server.stop()
    if "two" in only:
        print("conduit, two workers on both cores", flush=True)
        server = procs.conduit(port, _env(database, redis), "0,1", bench.log("two"), workers=2)
        try:
            for s in scenarios:
                report.two_workers[s.name] = bench.measure(
                    server, s, tokens, bench.extra, cores="0,1"
                )
        finally:
            server.stop()
    if "login" in only:
        report.login = login_load(bench, port, database, redis, world, scenarios)
    if "scale" in only:
        report.scaling = measure_scaling(bench, args.pg, port, _env)
    if "hostile" in only:
        report.hostile = hostile_run(bench, port, _env(database, redis), world, scenarios, tokens)
    report.header.append(f"Whole run: {time.monotonic() - started:.0f} s.")
    text = report.render()
    print("\n" + text)
    default = "smoke.md" if args.smoke else "hostile.md" if only == {"hostile"} else "latest.md"
    target = args.output or RESULTS / default
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("## Benchmark results\n\n" + text)
    print(f"written to {target}")
    broken = [
        name
        for results in (report.conduit, report.ceiling, report.uncached)
        for name, result in results.items()
        if result.errors or not result.requests
    ]
    if args.smoke and broken:
        raise SystemExit(f"smoke run: errors or no requests in {sorted(set(broken))}")


def main_run(
    bench: Bench,
    server: procs.Server,
    port: int,
    report: Report,
    scenarios: list[Scenario],
    tokens: list[str],
) -> None:
    responses = bench.folder / "responses.json"
    asyncio.run(capture(server.url, scenarios, tokens[0], responses))
    # Conduit and the ceiling run side by side (both on core 0, one idle while the other is
    # measured) and alternate per scenario, so that background load hits both alike.
    ceiling = procs.ceiling(port + 1, responses, "0", bench.log("ceiling"))
    try:
        print("conduit (one worker, cache on) vs ceiling (raw ASGI, same bytes)", flush=True)
        for s in scenarios:
            report.conduit[s.name] = bench.measure(server, s, tokens, bench.duration)
            report.ceiling[s.name] = bench.measure(
                ceiling, s, tokens, bench.duration, label="  ceiling"
            )
        report.rss_mb = server.rss_mb()
    finally:
        ceiling.stop()


def login_load(
    bench: Bench,
    port: int,
    database: str,
    redis: str | None,
    world: World,
    scenarios: list[Scenario],
) -> list[str]:
    """Reads (list anonymous) measured while logins (Argon2id, default cost) run alongside."""
    print("login load: list anonymous while logins run", flush=True)
    bodies = [f'{{"user":{{"email":"{u["email"]}","password":"{PASSWORD}"}}}}' for u in world.users]
    login = Scenario("login", "login", "POST", ["/api/users/login"], False, 0, None)
    read = next(s for s in scenarios if s.name == "list_anon")
    server = procs.conduit(port, _env(database, redis), "0", bench.log("login"))
    try:
        login_lua = wrk.script(bench.folder, "login", "POST", login.paths, [], bodies)
        read_lua = wrk.script(bench.folder, "login_read", "GET", read.paths, [], [])
        # Logins run at a lower OS priority (conduit.slowlane): slow, not failed, under load.
        logins = wrk.start(server.url, login_lua, bench.extra + 1, 4, "1", timeout=30)
        time.sleep(0.5)
        reads = wrk.run(server.url, read_lua, bench.extra, bench.args.connections, "1")
        done = wrk.finish(logins)
    finally:
        server.stop()
    verdict = "met" if reads.p99_ms < 100 else "MISSED"
    return [
        "| load | req/s | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|",
        f"| logins (4 connections) | {done.rps:,.1f} | {done.p50_ms:.1f} | {done.p99_ms:.1f} "
        f"| {done.errors} |",
        f"| list anonymous (16 connections) | {reads.rps:,.0f} | {reads.p50_ms:.2f} "
        f"| {reads.p99_ms:.2f} | {reads.errors} |",
        "",
        f"- read p99 while logins run: **{reads.p99_ms:.1f} ms** (target < 100 ms: {verdict})",
    ]


if __name__ == "__main__":
    main()
