"""structlog set-up: JSON lines in production, a readable console format in development.

Both renderers keep one event on one line whatever the input: JSON escapes control characters,
and the console renderer gets them escaped by ``_escape_controls`` first, so a username or header
containing ``\\n`` cannot forge a second log line. Secrets never reach a line: the keys in
``_SECRET_KEYS`` are redacted whoever logs them.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from collections.abc import Callable, MutableMapping
from functools import partial
from typing import Any, TextIO

import orjson
import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from conduit.observability.context import current
from conduit.settings import Settings

_SECRET_KEYS = frozenset(
    {"password", "token", "authorization", "secret", "secret_key", "cookie", "set-cookie"}
)
_CONTROLS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def _add_request(_logger: WrappedLogger, _name: str, event: EventDict) -> EventDict:
    context = current.get()
    if context is not None:
        event.setdefault("request_id", context.request_id)
        if context.client is not None:
            event.setdefault("client", context.client)
        if context.user is not None:
            event.setdefault("user", context.user)
    return event


def _redact(_logger: WrappedLogger, _name: str, event: EventDict) -> EventDict:
    for key in _SECRET_KEYS.intersection(event):
        event[key] = "[redacted]"
    return event


def _escape(value: str) -> str:
    return _CONTROLS.sub(lambda match: repr(match.group())[1:-1], value)


def _escape_controls(_logger: WrappedLogger, _name: str, event: EventDict) -> EventDict:
    for key, value in event.items():
        if isinstance(value, str) and _CONTROLS.search(value):
            event[key] = _escape(value)
    return event


def _json(event: MutableMapping[str, Any], **_kwargs: Any) -> str:
    return orjson.dumps(event, default=str).decode()


def _renderer(settings: Settings) -> list[Processor]:
    fmt = settings.log_format
    if fmt == "json" or (fmt == "auto" and settings.is_production):
        return [structlog.processors.format_exc_info, structlog.processors.JSONRenderer(_json)]
    return [
        structlog.processors.format_exc_info,
        _escape_controls,
        structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        ),
    ]


def configure_logging(settings: Settings, stream: TextIO | None = None) -> None:
    """Route structlog and the standard library (uvicorn, SQLAlchemy) to one stream and format."""
    stream = stream or sys.stdout
    level = logging.getLevelNamesMapping()[settings.log_level]
    shared: list[Processor] = [
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_request,
        _redact,
    ]
    renderer = _renderer(settings)
    structlog.configure(
        processors=[*shared, *renderer],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.WriteLoggerFactory(file=stream),
        # Not cached: tests and hosts may configure again; the hot path binds once (``access``).
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *renderer],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "gunicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    # The server's access lines would duplicate ours, without the route template.
    for name in ("uvicorn.access", "mangum.http"):
        server_access = logging.getLogger(name)
        server_access.handlers = []
        server_access.propagate = False
    global _access_logger, _json_sink, _console_sink
    _access_logger = structlog.get_logger("conduit.access").bind()
    _json_sink = _console_sink = None
    if level <= logging.INFO:
        if isinstance(renderer[-1], structlog.processors.JSONRenderer):
            _json_sink = _sink(stream)
        else:
            _console_sink = _sink(stream)


def _sink(stream: TextIO) -> Callable[[bytes], object]:
    """Where ready-made JSON lines go: one write(2) per line on a real file descriptor (a line
    under PIPE_BUF never interleaves with another worker's), else the stream (tests)."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError):  # io.StringIO and friends

        def write(line: bytes) -> None:
            stream.write(line.decode())
            stream.flush()

        return write
    stream.flush()
    return partial(os.write, fd)


_access_logger: Any = structlog.get_logger("conduit.access")
_json_sink: Callable[[bytes], object] | None = None
_console_sink: Callable[[bytes], object] | None = None


_stamp: tuple[int, str] = (-1, "")


def _timestamp() -> str:
    """ISO 8601 UTC with microseconds, like structlog's; the date part is formatted once a
    second (strftime would cost more than the rest of the access line)."""
    global _stamp
    now = time.time()
    second = int(now)
    cached, prefix = _stamp
    if second != cached:
        prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        _stamp = (second, prefix)  # one tuple: threads never see a torn pair
    return f"{prefix}.{int((now - second) * 1_000_000):06d}Z"


def access(method: str, route: str, status: int, duration_ms: float) -> None:
    """One line per request (see ``RequestObservability``).

    It skips structlog's processor chain: the fields are known and safe (a route template, a
    sanitised request id, an address, a validated username; orjson escapes, the console line
    escapes control characters), and this line is written for every request, so it is built
    directly — through structlog's console renderer it cost about as much CPU as a cache hit.
    """
    if _console_sink is not None:
        _console_sink(_console_line(method, route, status, duration_ms).encode())
        return
    if _json_sink is None:
        _access_logger.info(
            "request", method=method, route=route, status=status, duration_ms=duration_ms
        )
        return
    line: dict[str, Any] = {
        "method": method,
        "route": route,
        "status": status,
        "duration_ms": duration_ms,
        "event": "request",
        "level": "info",
        "timestamp": _timestamp(),
    }
    context = current.get()
    if context is not None:
        line["request_id"] = context.request_id
        if context.client is not None:
            line["client"] = context.client
        if context.user is not None:
            line["user"] = context.user
    _json_sink(orjson.dumps(line, option=orjson.OPT_APPEND_NEWLINE))


def _console_line(method: str, route: str, status: int, duration_ms: float) -> str:
    """The line structlog's console renderer writes for the same event: keys sorted, no colours."""
    context = current.get()
    client = user = ""
    request_id = ""
    if context is not None:
        request_id = f" request_id={context.request_id}"
        if context.client is not None:
            client = f"client={context.client} "
        if context.user is not None:
            user = f" user={context.user}"
    line = (
        f"{_timestamp()} [info     ] request                        {client}"
        f"duration_ms={duration_ms} method={method}{request_id} route={route} status={status}"
        f"{user}"
    )
    if _CONTROLS.search(line):
        line = _escape(line)
    return line + "\n"


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
