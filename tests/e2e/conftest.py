"""A live ``conduit serve`` on a fresh database, and headless Debian Chromium driving it.

Run with ``pytest -m e2e`` (deselected by default). The database is SQLite in a temporary folder,
or the server named by ``CONDUIT_TEST_DATABASE_URL`` (a private database per run, as in the unit
tests), filled with ``conduit seed``; ``CONDUIT_TEST_REDIS_URL`` adds Redis. Screenshots go to
``artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Request, sync_playwright

from tests.ports import unused_port

CHROMIUM = os.environ.get("CONDUIT_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


def _conduit_command() -> list[str]:
    script = Path(sys.executable).with_name("conduit")
    return (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "import conduit.cli as c; c.main()"]
    )


@pytest.fixture(scope="session")
def base_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = unused_port()
    env = {
        **os.environ,
        "CONDUIT_DATABASE_URL": database_url,
        "CONDUIT_REDIS_URL": os.environ.get("CONDUIT_TEST_REDIS_URL", ""),
        "CONDUIT_SECRET_KEY": "e2e-secret-" + "y" * 40,
        "CONDUIT_ARGON2_TIME_COST": "1",
        "CONDUIT_ARGON2_MEMORY_COST": "1024",
        "CONDUIT_ARGON2_PARALLELISM": "1",
    }
    log = (tmp_path_factory.mktemp("server") / "serve.log").open("w")
    # The demo content first (it migrates too): the pages look like a real site, and
    # tests/e2e/test_demo.py signs in as one of its people.
    subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [*_conduit_command(), "seed"], env=env, stdout=log, stderr=subprocess.STDOUT, check=True
    )
    server = subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
        [*_conduit_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if server.poll() is not None:
                raise RuntimeError(f"conduit serve exited with {server.returncode}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("conduit serve did not become healthy")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def browser(base_url: str) -> Iterator[Browser]:
    # Depends on the server so that the database exists before Playwright's event loop runs in
    # this thread (the harness creates PostgreSQL databases with asyncio.run).
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def screenshots(database_url: str) -> Path:
    label = urlsplit(database_url).scheme.split("+")[0] or "sqlite"
    folder = SCREENSHOTS / label
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


@dataclass
class Traffic:
    """Every request a page made, to prove that none left for another host."""

    own_host: str
    foreign: list[str] = field(default_factory=list)

    def __call__(self, request: Request) -> None:
        if urlsplit(request.url).netloc != self.own_host:
            self.foreign.append(request.url)


@pytest.fixture
def traffic(base_url: str) -> Traffic:
    return Traffic(urlsplit(base_url).netloc)


def open_context(
    browser: Browser, base_url: str, traffic: Traffic, **options: object
) -> BrowserContext:
    context = browser.new_context(base_url=base_url, **options)  # type: ignore[arg-type]
    # Generous: the first long article body starts the Markdown worker process (web/bodies.py).
    context.set_default_timeout(30_000)
    context.on("request", traffic)
    return context


@pytest.fixture
def page(browser: Browser, base_url: str, traffic: Traffic) -> Iterator[Page]:
    context = open_context(browser, base_url, traffic)
    yield context.new_page()
    context.close()
    assert traffic.foreign == [], "requests to another host"
