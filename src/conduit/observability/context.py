"""Who and what the current request is, for every log line emitted while serving it."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(slots=True)
class RequestContext:
    request_id: str
    client: str | None
    user: str | None = None


current: ContextVar[RequestContext | None] = ContextVar("conduit_request", default=None)


def set_user(username: str) -> None:
    """Called once a request is authenticated: later log lines of the request name the user."""
    context = current.get()
    if context is not None:
        context.user = username
