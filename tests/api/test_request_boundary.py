"""The request boundary (``deps.RequestBoundary``): a request's unit of work is closed as its
response starts, so no database connection stays checked out while the client takes the body,
whether the route answered or raised."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from starlette.types import Message

from conduit.resources import Resources
from tests.factories import Persona

# The driver path off: every statement then runs on SQLAlchemy's pool, on every database, and the
# pool's count of checked-out connections shows whether the session still holds one.
pytestmark = [pytest.mark.anyio, pytest.mark.settings(db_driver_reads=False)]


async def _checked_out_while_sending(app: FastAPI, path: str) -> list[tuple[str, int, int]]:
    """Calls the app as a server would; for each message it sends: its type, the status, and
    how many of the engine's connections were checked out at that moment."""
    resources: Resources = app.state.resources
    seen: list[tuple[str, int, int]] = []
    status = 0

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        status = message.get("status", status)
        seen.append((message["type"], status, resources.engine.pool.checkedout()))  # type: ignore[attr-defined]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    return seen


async def test_it_returns_the_connection_before_the_response_starts(
    app: FastAPI, alice: Persona
) -> None:
    article = await alice.write()
    for path in ("/api/articles", f"/api/articles/{article['slug']}", "/"):
        seen = await _checked_out_while_sending(app, path)
        assert seen[0][:2] == ("http.response.start", 200)
        assert all(held == 0 for _, _, held in seen), (path, seen)


async def test_a_route_that_raises_returns_its_connection_too(app: FastAPI) -> None:
    seen = await _checked_out_while_sending(app, "/api/articles/no-such-article")
    assert seen[0][:2] == ("http.response.start", 404)
    assert all(held == 0 for _, _, held in seen)
