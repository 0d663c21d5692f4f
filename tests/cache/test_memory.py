"""A cache-filling anonymous client against a real ``conduit serve``: the worker's resident memory
stays under the configured cache bound plus 150 MB (it grew without bound before: 2 500 distinct
list pages took a worker from 111 MB to 1 375 MB)."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from conduit.settings import Settings
from tests.cache.processes import empty_database, environment, serving

BOUND = 8 * 1024 * 1024
MB = 1024 * 1024
AUTHORS = 3
ARTICLES = 90


def _rss(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def _fill_with_large_articles(server: httpx.Client) -> None:
    """Articles as large as the API allows in a list item (bio, image, description, tags)."""
    for a in range(AUTHORS):
        user = {
            "username": f"big{a}",
            "email": f"big{a}@example.com",
            "password": "correct horse 1",
        }
        token = server.post("/api/users", json={"user": user}).json()["user"]["token"]
        auth = {"Authorization": f"Token {token}"}
        profile = {"bio": "b" * 2000, "image": "https://example.com/" + "i" * 2000}
        assert server.put("/api/user", json={"user": profile}, headers=auth).status_code == 200
        for n in range(ARTICLES // AUTHORS):
            article = {
                "title": f"{'t' * 200} {a} {n}",
                "description": "d" * 1000,
                "body": "body",
                "tagList": [f"{'x' * 60}{i:02d}" for i in range(20)],
            }
            created = server.post("/api/articles", json={"article": article}, headers=auth)
            assert created.status_code == 201


def test_it_keeps_a_worker_under_the_cache_bound_plus_150_mb(settings: Settings) -> None:
    empty_database(settings)
    env = environment(settings, CONDUIT_CACHE_MAX_BYTES=str(BOUND))
    # The server's memory, not coverage.py's: measured under coverage (which CI runs the suite
    # with), the tracer's own data added ~10 MB to the worker's RSS.
    env.pop("COVERAGE_PROCESS_CONFIG", None)
    with serving(env) as (server,):
        _fill_with_large_articles(server)
        port = server.base_url.port
        pid = _server_pid(port)
        paths = [
            f"/api/articles?limit={limit}&offset={offset}"
            for limit in range(1, 101, 3)
            for offset in range(0, 60, 3)
        ] + [
            f"/api/articles?author=big{a}&limit=30&offset={o}" for a in range(3) for o in range(30)
        ]
        started = time.monotonic()
        before = _rss(pid)

        def fetch(chunk: list[str]) -> None:
            with httpx.Client(base_url=str(server.base_url), timeout=60) as client:
                for path in chunk:
                    assert client.get(path).status_code == 200

        with ThreadPoolExecutor(4) as pool:
            list(pool.map(fetch, [paths[i::4] for i in range(4)]))
        after = _rss(pid)
        print(
            f"{len(paths)} distinct pages in {time.monotonic() - started:.0f} s: "
            f"RSS {before / MB:.0f} MB -> {after / MB:.0f} MB (bound {BOUND / MB:.0f} MB)"
        )
        assert after < BOUND + 150 * MB


def _server_pid(port: int | None) -> int:
    """The process listening on ``port`` (``conduit serve`` with one worker serves in-process)."""
    inode = None
    with open("/proc/net/tcp", encoding="ascii") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            if int(fields[1].split(":")[1], 16) == port and fields[3] == "0A":
                inode = fields[9]
    assert inode is not None
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return int(pid)
        except OSError:
            continue
    raise AssertionError("no process listens on the port")
