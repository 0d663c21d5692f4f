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

from conduit.api import presenter
from conduit.cache.entries import Entry, Marks
from conduit.deps import Call
from conduit.identity import Viewer
from conduit.profiles.relations import Relations
from conduit.reads import catalog
from conduit.reads.declaration import CurrentUser, Read
from conduit.reads.serve import cache_for, cached, own_ids, uncached

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


async def answer(read: Read[P, V], params: P, call: Call[Any]) -> bytes:
    """The response body of ``read`` for the call's viewer (an anonymous miss passes the call's
    miss gate first)."""
    viewer: Viewer | None = call.viewer
    session = call.uow.session
    cache = cache_for(call.resources.cache, viewer)
    if cache is None:
        return render(read, await uncached(read, params, viewer, session))
    found, mine = await cached(
        read,
        params,
        viewer.id if viewer else None,
        cache,
        session,
        "",
        lambda value: entry(read, value),
        call.gate,
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
