"""Two versions of Conduit side by side: CPU per request, alternating per scenario.

    .venv/bin/python -m bench.ab --base-src /tmp/base/src --lua DIR --database URL \\
        --base-database URL [--scenarios tags,list_anon] [--seconds 5] [--rounds 2] \\
        [--cache redis://127.0.0.1:6379/7,redis://127.0.0.1:6379/8]

On a machine shared with other work, two runs minutes apart differ by more than most changes
do; alternating the two servers scenario by scenario, each pinned to core 0 with wrk on core 1,
exposes both to the same background load. ``--base-src`` is another checkout's ``src`` (e.g.
``git archive main src | tar -x -C /tmp/base``), imported first through PYTHONPATH; each
version runs on its own copy of the same seeded database (the base at its own schema), so the
writes (favorites in order) meet the same state. The Lua scripts are a ``python -m bench`` run's
(its temporary folder); both databases must accept its tokens (same secret).

Without ``--cache`` both servers run cache off (the database path, issue 12); with it, cache on,
each on its own Redis database (base first; both are flushed): the cached reads (issue 9).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
from pathlib import Path

from bench import procs, wrk
from bench.__main__ import SECRET


def _env(database: str, redis: str = "") -> dict[str, str]:
    return {
        "CONDUIT_DATABASE_URL": database,
        "CONDUIT_REDIS_URL": redis,
        "CONDUIT_SECRET_KEY": SECRET,
        "CONDUIT_CACHE_ENABLED": "true" if redis else "false",
        "CONDUIT_RATE_LIMIT_ENABLED": "false",
        "CONDUIT_DB_POOL_SIZE": "20",
    }


def _warmup_script(lua: Path) -> Path:
    """An ordered script (favorites) warms up from its pairs' second half, so the measured run
    that follows never repeats a favorite the warmup made."""
    text = lua.read_text()
    if "local ordered = true" not in text:
        return lua
    count = len(text.split("local paths = {", 1)[1].split("}", 1)[0].split(","))
    shifted = re.sub(r"local sent = \d+", f"local sent = {count // 2}", text)
    target = lua.with_name(f"{lua.stem}_warmup.lua")
    target.write_text(shifted)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ab", description=__doc__)
    parser.add_argument("--base-src", type=Path, required=True)
    parser.add_argument("--lua", type=Path, required=True, help="a bench run's script folder")
    parser.add_argument("--database", required=True, help="this checkout's (asyncpg URL)")
    parser.add_argument("--base-database", required=True, help="the base's copy")
    parser.add_argument("--scenarios", default="")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cache", default="", help="two Redis URLs, base's first: cache on")
    args = parser.parse_args()
    redis = args.cache.split(",") if args.cache else ["", ""]
    for url in filter(None, redis):
        subprocess.run(["redis-cli", "-u", url, "FLUSHDB"], check=True, capture_output=True)
    names = (
        args.scenarios.split(",")
        if args.scenarios
        else sorted(
            p.stem
            for p in args.lua.glob("*.lua")
            if not p.stem.startswith(("login", "scale")) and "_warmup" not in p.stem
        )
    )
    port = procs.free_port_run(2)
    log = Path(tempfile.gettempdir())
    base_env = {**_env(args.base_database, redis[0]), "PYTHONPATH": str(args.base_src.resolve())}
    servers = {
        "base": procs.conduit(port, base_env, "0", log / "ab-base.log"),
        "this": procs.conduit(port + 1, _env(args.database, redis[1]), "0", log / "ab-this.log"),
    }
    cpu: dict[tuple[str, str], list[float]] = {}
    try:
        for _ in range(args.rounds):
            for name in names:
                lua = args.lua / f"{name}.lua"
                warm = _warmup_script(lua)
                for label, server in servers.items():
                    wrk.run(server.url, warm, 1, 16, "1")
                    before = server.cpu_seconds()
                    result = wrk.run(server.url, lua, args.seconds, 16, "1")
                    used = server.cpu_seconds() - before
                    per = 1e6 * used / result.requests if result.requests else 0.0
                    cpu.setdefault((name, label), []).append(per)
                    print(f"  {name:<20} {label:<5} {per:7.0f} us/req  errors {result.errors}")
    finally:
        for server in servers.values():
            server.stop()
    print("\n| scenario | base CPU µs/req | this CPU µs/req | this ÷ base |")
    print("|---|---:|---:|---:|")
    for name in names:
        base, this = min(cpu[(name, "base")]), min(cpu[(name, "this")])
        print(f"| {name} | {base:,.0f} | {this:,.0f} | {this / base if base else 0:.2f} |")
    print("\n(best of the rounds for each: the least disturbed measurement)")


if __name__ == "__main__":
    main()
