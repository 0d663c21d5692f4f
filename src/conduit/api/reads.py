"""The API's form of the declared reads (conduit/reads/catalog.py): JSON bytes, from the read cache
when it is on, else straight from the database. A cached entry is the anonymous rendering, of
public content only (conduit/visibility.py: a viewer who may see hidden content reads past the
cache, ``cache_for``); a signed-in viewer's own flags (``favorited``, ``following``) come from
their relations on every request, and only an entry showing one of their ids is rendered again
for them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from conduit.api import presenter
from conduit.cache.core import Cache
from conduit.cache.entries import Entry, Marks
from conduit.identity import Viewer
from conduit.profiles.relations import Relations
from conduit.reads import catalog
from conduit.reads.declaration import CurrentUser, Read
from conduit.reads.serve import Gate, cache_for, cached, own_ids, uncached

P = TypeVar("P", bound=BaseModel)
V = TypeVar("V")

# Each read's wire document (the presenter is the only place typed results become JSON).
_DOCUMENT: dict[Read[Any, Any], Callable[[Any], object]] = {
    catalog.ARTICLE: presenter.article_response,
    catalog.ARTICLES: presenter.article_list,
    catalog.FEED: presenter.article_list,
    catalog.COMMENTS: lambda thread: presenter.comment_list(thread.items),
    catalog.PROFILE: presenter.profile_response,
    catalog.TAGS: lambda names: presenter.tags_response(list(names)),
}


def render(read: Read[P, V], value: V) -> bytes:
    return presenter.dumps(_DOCUMENT[read](value))


def entry(read: Read[P, V], value: V) -> Entry:
    """The anonymous bytes, the ids the flags depend on, and how to render them for a viewer."""

    def personalise(own: Marks) -> bytes:
        return render(read, read.seen_by(value, Relations(own[0], own[1])))

    return Entry(render(read, value), read.ids(value), personalise, holds=value)


async def answer(
    read: Read[P, V],
    params: P,
    viewer: Viewer | None,
    cache: Cache | None,
    session: AsyncSession,
    gate: Gate | None = None,
) -> bytes:
    """The response body of ``read`` for ``viewer`` (None: anonymous; its misses pass ``gate``)."""
    viewer_id = viewer.id if viewer else None
    cache = cache_for(cache, viewer)
    if cache is None:
        return render(read, await uncached(read, params, viewer, session))
    found, mine = await cached(
        read, params, viewer_id, cache, session, "", lambda value: entry(read, value), gate
    )
    return found.body if mine is None else found.for_viewer(own_ids(mine))


Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
READ_ATTRIBUTE = "conduit_read"


def serves(read: Read[Any, Any] | CurrentUser) -> Callable[[Endpoint], Endpoint]:
    """Marks a route's endpoint as the API's way to ``read``: the fast path finds the declaration
    on the route it matched (``fastpath.py``), so routing and parameters are never re-declared."""

    def mark(endpoint: Endpoint) -> Endpoint:
        setattr(endpoint, READ_ATTRIBUTE, read)
        return endpoint

    return mark
