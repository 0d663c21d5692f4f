"""Cached versions of the hot reads: the routers call these when the cache is enabled.

Each builds the anonymous entry from the database on a miss (the same statements as the uncached
path, without the per-viewer subqueries) and lays the viewer's own fields over it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from conduit.articles import queries
from conduit.articles.queries import ArticleFilter
from conduit.cache import core
from conduit.cache.core import Cache
from conduit.cache.viewers import relations
from conduit.cache.views import Entry, feed_key, list_key, render
from conduit.comments.service import comment_rows, comments_body
from conduit.profiles.service import profile, profile_row


async def _serve(
    cache: Cache,
    session: AsyncSession,
    key: str,
    names: list[str],
    viewer_id: int | None,
    build: Callable[[], Awaitable[Entry]],
    personal: bool = False,
) -> bytes:
    """Entry ``key`` (built on a miss) rendered for the viewer; one generation read in all."""
    shared = len(names)
    if viewer_id is not None:
        names = [*names, core.relations_of(viewer_id)]
    generations = await cache.read(names)
    entry_generations = generations if personal or generations is None else generations[:shared]
    entry: Entry | None = cache.get(key.partition(":")[0], key, entry_generations)
    if entry is None:
        entry = await build()
        cache.put(key, entry_generations, entry)
    if viewer_id is None:
        return entry.body
    own = None if generations is None else generations[shared:]
    return render(entry, await relations(cache, session, viewer_id, own))


async def tags(cache: Cache, session: AsyncSession) -> bytes:
    async def build() -> Entry:
        return Entry("tags", orjson.dumps(await queries.popular_tags(session)))

    return await _serve(cache, session, "tags:", [core.TAGS], None, build)


async def article(cache: Cache, session: AsyncSession, slug: str, viewer_id: int | None) -> bytes:
    async def build() -> Entry:
        row = await queries.article_row(session, slug, None)
        body = orjson.dumps({"article": queries.article_body(row, True)})
        return Entry("article", body, (row.article_id,), (row.author_id,))

    names = [core.ARTICLES, core.USERS]
    return await _serve(cache, session, f"article:{slug}", names, viewer_id, build)


async def articles(
    cache: Cache,
    session: AsyncSession,
    filters: ArticleFilter,
    viewer_id: int | None,
    limit: int,
    offset: int,
) -> bytes:
    async def build() -> Entry:
        rows, count = await queries.list_rows(session, filters, None, limit, offset)
        doc: dict[str, Any] = {
            "articles": [queries.article_body(row, False) for row in rows],
            "articlesCount": count,
        }
        return Entry(
            "articles",
            orjson.dumps(doc),
            tuple(row.article_id for row in rows),
            tuple(row.author_id for row in rows),
        )

    names = [core.ARTICLES, core.USERS]
    if filters.feed_of is not None:
        key = feed_key(filters.feed_of, limit, offset)
        return await _serve(cache, session, key, names, viewer_id, build, personal=True)
    key = list_key(filters.tag, filters.author, filters.favorited, limit, offset)
    return await _serve(cache, session, key, names, viewer_id, build)


async def comments(cache: Cache, session: AsyncSession, slug: str, viewer_id: int | None) -> bytes:
    async def build() -> Entry:
        rows = await comment_rows(session, slug, None)
        authors = tuple(row.author_id for row in rows)
        return Entry("comments", orjson.dumps(comments_body(rows)), (), authors)

    names = [core.SLUGS, core.USERS, core.comments_of(slug)]
    return await _serve(cache, session, f"comments:{slug}", names, viewer_id, build)


async def profile_of(
    cache: Cache, session: AsyncSession, username: str, viewer_id: int | None
) -> bytes:
    async def build() -> Entry:
        row = await profile_row(session, username, None)
        body = orjson.dumps({"profile": profile(row[0], row[1], row[2], False)})
        return Entry("profile", body, (), (row[4],))

    return await _serve(cache, session, f"profile:{username}", [core.USERS], viewer_id, build)
