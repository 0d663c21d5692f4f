"""The console access line is built directly (structlog's renderer cost as much CPU as a cache
hit), yet reads exactly as structlog's console renderer would write it."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from conduit.observability import logs
from conduit.observability.context import RequestContext, current
from conduit.settings import Settings


@pytest.fixture
def console(settings: Settings) -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    logs.configure_logging(settings.model_copy(update={"log_format": "console"}), buffer)
    yield buffer
    logs.configure_logging(settings)


def _without_timestamps(text: str) -> list[str]:
    return [line.split(" ", 1)[1] for line in text.splitlines()]


@pytest.mark.parametrize(
    "context",
    [
        RequestContext("4f2a1", "127.0.0.1", "alice"),
        RequestContext("4f2a2", None, None),
        RequestContext("4f2a3", "::1", None),
        None,
    ],
)
def test_it_writes_the_line_structlogs_console_renderer_writes(
    console: io.StringIO, context: RequestContext | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = current.set(context)
    try:
        logs.access("GET", "/api/articles/{slug}", 200, 1.25)
        monkeypatch.setattr(logs, "_console_sink", None)  # the structlog path, for reference
        logs.access("GET", "/api/articles/{slug}", 200, 1.25)
    finally:
        current.reset(token)
    fast, reference = _without_timestamps(console.getvalue())
    assert fast == reference


def test_it_keeps_one_event_on_one_line(console: io.StringIO) -> None:
    token = current.set(RequestContext("4f2a4", "127.0.0.1", "mallory\n[info     ] forged"))
    try:
        logs.access("POST", "/api/users/login", 401, 0.5)
    finally:
        current.reset(token)
    assert console.getvalue().count("\n") == 1
    assert "user=mallory\\n[info" in console.getvalue()


def test_it_writes_nothing_above_info(settings: Settings) -> None:
    buffer = io.StringIO()
    logs.configure_logging(
        settings.model_copy(update={"log_format": "console", "log_level": "WARNING"}), buffer
    )
    try:
        logs.access("GET", "/api/tags", 200, 0.3)
    finally:
        logs.configure_logging(settings)
    assert buffer.getvalue() == ""


class _Forbidden:
    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"the access line went through structlog ({name})")


@pytest.mark.parametrize("log_format", ["console", "json"])
def test_it_never_runs_structlogs_processor_chain_per_request(
    settings: Settings, log_format: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    buffer = io.StringIO()
    logs.configure_logging(settings.model_copy(update={"log_format": log_format}), buffer)
    monkeypatch.setattr(logs, "_access_logger", _Forbidden())
    try:
        logs.access("GET", "/api/tags", 200, 0.3)
    finally:
        logs.configure_logging(settings)
    assert "/api/tags" in buffer.getvalue()
