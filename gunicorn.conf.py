"""Gunicorn + uvicorn-worker: ``gunicorn -c gunicorn.conf.py`` (see docs/deploy.md).

`conduit serve --workers N` is the simpler choice; gunicorn adds worker supervision (restart on
crash, heartbeat timeouts) for hosts that standardise on it. Migrations are a separate step
(`conduit migrate`). Environment: PORT, HOST, WEB_CONCURRENCY, CONDUIT_SHUTDOWN_TIMEOUT,
CONDUIT_KEEPALIVE_TIMEOUT (CONDUIT_HEADER_TIMEOUT and CONDUIT_BODY_TIMEOUT are read by the app and
its protocol).
Requires the `gunicorn` extra: `pip install 'conduit[gunicorn]'`.
"""

import os
import shutil
import tempfile
from typing import Any

wsgi_app = "conduit.app:create_app()"  # an ASGI app factory, despite the option's name
# uvicorn-worker's worker with conduit.server's protocol: a deadline for every request head.
worker_class = "conduit.worker.UvicornWorker"
bind = [f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"]  # noqa: S104
# Async workers: one per core is enough; each holds its own database pool (CONDUIT_DB_POOL_SIZE).
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 1))
# SIGTERM: workers stop accepting and get this long to finish in-flight requests.
graceful_timeout = int(os.environ.get("CONDUIT_SHUTDOWN_TIMEOUT", "30"))
timeout = 60  # heartbeat: a worker stuck this long is restarted
# Idle kept-alive connections are closed after this long (uvicorn's timeout_keep_alive).
keepalive = int(os.environ.get("CONDUIT_KEEPALIVE_TIMEOUT", "5"))
# Not preloaded: every worker builds its own engine after the fork.
preload_app = False
# The app applies CONDUIT_TRUSTED_PROXIES itself (same rules under every server), so the
# server must not rewrite client addresses on its own.
forwarded_allow_ips = ""
accesslog = None  # the app writes one structured line per request
errorlog = "-"


# Several workers: /metrics must add up all of them (prometheus-client multiprocess mode).
def on_starting(server: Any) -> None:
    if server.cfg.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        folder = tempfile.mkdtemp(prefix="conduit-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder  # inherited by the forked workers
        os.environ["CONDUIT_GUNICORN_METRICS_DIR"] = folder


def child_exit(_server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def on_exit(_server: Any) -> None:
    folder = os.environ.get("CONDUIT_GUNICORN_METRICS_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
