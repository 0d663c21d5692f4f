"""The fast path routes with the application's own routes and validates with the reads' own
parameter models: what it would answer, and what it leaves to the full stack."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from conduit.api import fastpath
from conduit.api.fastpath import CachedReads
from conduit.reads import catalog

pytestmark = pytest.mark.anyio


def _scope(app: FastAPI, path: str, query: str = "") -> dict[str, Any]:
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "root_path": "",
        "query_string": query.encode(),
        "app": app,
    }


@pytest.fixture
async def reads(app: FastAPI) -> CachedReads:
    return CachedReads(app)


async def test_it_lands_on_the_route_the_router_would_run(app: FastAPI, reads: CachedReads) -> None:
    expected = {
        "/api/tags": (catalog.TAGS, "/api/tags"),
        "/api/articles": (catalog.ARTICLES, "/api/articles"),
        # Declared before /api/articles/{slug}: the router's order decides, as in the app.
        "/api/articles/feed": (catalog.FEED, "/api/articles/feed"),
        "/api/articles/dragons": (catalog.ARTICLE, "/api/articles/{slug}"),
        "/api/articles/dragons/comments": (catalog.COMMENTS, "/api/articles/{slug}/comments"),
        "/api/profiles/alice": (catalog.PROFILE, "/api/profiles/{username}"),
        "/api/user": (catalog.CURRENT_USER, "/api/user"),
    }
    for path, (read, template) in expected.items():
        step = reads._plan(_scope(app, path))
        assert step is not None, path
        assert step.read is read, path
        assert getattr(step.route, "path_format", None) == template
    # Routes without a declared read, or that take no GET, are left to the full stack.
    for path in ("/api/articles/dragons/favorite", "/api/users", "/api/openapi.json", "/"):
        assert reads._plan(_scope(app, path)) is None, path


async def test_it_validates_with_the_read_s_own_model(app: FastAPI, reads: CachedReads) -> None:
    step = reads._plan(_scope(app, "/api/articles", "tag=x&limit=5&offset=10"))
    assert step is not None
    assert step.params == catalog.ListQuery(tag="x", limit=5, offset=10)
    assert step.key == catalog.ARTICLES.key(step.params, None)
    comments = reads._plan(_scope(app, "/api/articles/dragons/comments"))
    assert comments is not None
    assert comments.params == catalog.CommentsKey(slug="dragons")
    assert comments.params.limit == catalog.DEFAULT_COMMENTS
    # What the model refuses (the route answers 422), or what it does not take as is.
    for query in ("limit=0", "limit=101", "limit=abc", "limit=5&limit=6", "page=2", "reader=3"):
        assert reads._plan(_scope(app, "/api/articles", query)) is None, query
    assert reads._plan(_scope(app, "/api/articles/x/comments", "limit=201")) is None
    feed = reads._plan(_scope(app, "/api/articles/feed"))
    assert feed is not None
    assert feed.key is None  # personal: keyed by the reader, per request


async def test_what_it_remembers_is_bounded(
    app: FastAPI, reads: CachedReads, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fastpath, "_MAX_PLANS", 10)
    for n in range(25):
        reads._plan(_scope(app, f"/api/articles/slug-{n}"))
        assert len(reads._plans) <= 10
    long = "/api/articles/" + "a" * 700
    step = reads._plan(_scope(app, long))
    assert step is not None
    assert step.read is catalog.ARTICLE
    assert (long, b"") not in reads._plans
