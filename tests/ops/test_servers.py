"""Real servers in subprocesses: WSGI (waitress), gunicorn + uvicorn-worker, and `conduit serve`."""

from __future__ import annotations

import secrets
import signal
import threading
from pathlib import Path
from typing import Any

import httpx
import orjson

from tests.factories import PASSWORD
from tests.ops.conftest import BIN, PYTHON, ROOT, free_port, start, stop, wait_until_serving


def _register_and_read_back(base: str) -> None:
    name = "w" + secrets.token_hex(4)
    user = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
    created = httpx.post(f"{base}/api/users", json={"user": user}, timeout=30)
    assert created.status_code == 201, created.text
    token = created.json()["user"]["token"]
    me = httpx.get(
        f"{base}/api/user",
        headers={"Authorization": f"Token {token}", "X-Request-ID": "wsgi-1"},
        timeout=30,
    )
    assert me.status_code == 200
    assert me.json()["user"]["username"] == name
    assert me.headers["x-request-id"] == "wsgi-1"


def test_the_wsgi_entry_point_serves_real_requests(server_env: dict[str, str]) -> None:
    port = free_port()
    process = start(
        [
            str(BIN / "waitress-serve"),
            f"--listen=127.0.0.1:{port}",
            "conduit.wsgi:application",
        ],
        server_env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(f"{base}/healthz", process)
        _register_and_read_back(base)
        assert httpx.get(f"{base}/readyz", timeout=10).status_code == 200
    finally:
        output = stop(process)
    assert b'"route":"/api/user"' in output


def test_gunicorn_with_the_uvicorn_worker_serves_and_stops_cleanly(
    server_env: dict[str, str],
) -> None:
    port = free_port()
    env = {**server_env, "PORT": str(port), "HOST": "127.0.0.1", "WEB_CONCURRENCY": "2"}
    process = start([str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")], env)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(f"{base}/healthz", process)
        _register_and_read_back(base)
        _assert_metrics_add_up(base)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        stop(process)


def _assert_metrics_add_up(base: str) -> None:
    """Whichever worker answers the scrape reports the requests of all of them."""
    series = 'conduit_http_requests_total{method="GET",route="/api/tags",status="200"}'
    for _ in range(20):  # a new connection each: the kernel spreads them over the workers
        assert httpx.get(f"{base}/api/tags", timeout=30).status_code == 200
    for _ in range(3):
        scraped = httpx.get(f"{base}/metrics", timeout=30).text
        (line,) = [line for line in scraped.splitlines() if line.startswith(series)]
        assert float(line.split()[-1]) == 20


def test_metrics_add_up_every_worker_of_conduit_serve(server_env: dict[str, str]) -> None:
    port = free_port()
    process = start(
        [
            str(BIN / "conduit"),
            "serve",
            "--workers",
            "2",
            "--no-migrate",
            "--port",
            str(port),
        ],
        server_env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(f"{base}/healthz", process)
        _assert_metrics_add_up(base)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        stop(process)


# A test-only app: the real factory and the real `conduit serve` code path, plus slow routes.
SLOW_APP = """
import asyncio, sys
from pathlib import Path
from conduit.app import create_app
from conduit.cli import run_server
from conduit.observability.health import readiness
from conduit.settings import Settings

marker, port = Path(sys.argv[1]), int(sys.argv[2])
settings = Settings()
app = create_app(settings)

@app.get("/test/slow")
async def slow() -> dict:
    marker.write_text("in flight")
    for _ in range(2000):  # bounded: the test sends SIGTERM once the marker exists
        if app.state.lifecycle.draining:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.3)  # still working after the signal
    status, body = await readiness(app)
    return {"readiness": status, "checks": body["checks"]}

@app.get("/test/stuck")
async def stuck() -> dict:
    marker.write_text("in flight")
    await asyncio.sleep(3600)
    return {}

run_server(app, settings, "127.0.0.1", port)
"""


def _start_slow_app(tmp_path: Path, env: dict[str, str], port: int) -> tuple[Any, Path]:
    script = tmp_path / "slow_app.py"
    script.write_text(SLOW_APP)
    marker = tmp_path / "marker"
    process = start([PYTHON, str(script), str(marker), str(port)], env)
    wait_until_serving(f"http://127.0.0.1:{port}/healthz", process)
    return process, marker


def _wait_for(marker: Path, process: Any) -> None:
    for _ in range(1000):
        if marker.exists():
            return
        assert process.poll() is None
        threading.Event().wait(0.01)
    raise AssertionError("the request never reached the app")


def test_sigterm_drains_in_flight_requests_and_exits_zero(
    server_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    process, marker = _start_slow_app(tmp_path, server_env, port)
    responses: list[httpx.Response] = []
    request = threading.Thread(
        target=lambda: responses.append(httpx.get(f"http://127.0.0.1:{port}/test/slow", timeout=60))
    )
    try:
        request.start()
        _wait_for(marker, process)
        process.send_signal(signal.SIGTERM)
        request.join(timeout=60)
        assert process.wait(timeout=60) == 0
    finally:
        output = stop(process)
    (response,) = responses
    assert response.status_code == 200
    # Readiness failed while the request was still being served.
    assert response.json() == {
        "readiness": 503,
        "checks": {"database": "ok", "process": "draining"},
    }
    lines = [orjson.loads(line) for line in output.splitlines() if line.startswith(b"{")]
    served = [line for line in lines if line.get("route") == "/test/slow"]
    assert served[0]["status"] == 200


def test_the_shutdown_timeout_bounds_a_stuck_request(
    server_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    env = {**server_env, "CONDUIT_SHUTDOWN_TIMEOUT": "1"}
    process, marker = _start_slow_app(tmp_path, env, port)
    outcomes: list[object] = []

    def call() -> None:
        try:
            outcomes.append(httpx.get(f"http://127.0.0.1:{port}/test/stuck", timeout=60))
        except httpx.HTTPError as exc:
            outcomes.append(exc)

    request = threading.Thread(target=call)
    try:
        request.start()
        _wait_for(marker, process)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        request.join(timeout=60)
    finally:
        stop(process)
    # The stuck request was cut off (uvicorn answers 500) instead of holding the process.
    (outcome,) = outcomes
    assert isinstance(outcome, httpx.HTTPError) or getattr(outcome, "status_code", 0) == 500
