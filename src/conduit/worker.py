"""The gunicorn worker: uvicorn-worker's, serving with ``conduit.server``'s protocol (a deadline
for request heads) and CONDUIT_KEEPALIVE_TIMEOUT. Needs the ``gunicorn`` extra."""

from __future__ import annotations

from typing import Any, ClassVar

from uvicorn_worker import UvicornWorker as _UvicornWorker

from conduit.server import PROTOCOL


class UvicornWorker(_UvicornWorker):
    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {"loop": "auto", "http": PROTOCOL}
